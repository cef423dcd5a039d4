using System.Security.Cryptography;
using MetadataDelivery.Domain.Delivery;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Agent;

/// <summary>The agent's side of CONTRACT §3, shared by pushes and start-up pulls: verify the signature and
/// clock skew, check the envelope is for this node and intact, store it, run the reload hook.</summary>
public sealed class EnvelopeAcceptor(IOptions<AgentOptions> options, MetadataStore store, ReloadHook hook, TimeProvider time, ILogger<EnvelopeAcceptor> log)
{
    public sealed record Verdict(int Status, string? Version, string? Error);

    public async Task<Verdict> AcceptAsync(byte[] body, string? timestamp, string? signature, CancellationToken ct)
    {
        Envelope? envelope;
        try { envelope = Envelope.FromJson(body); }
        catch (System.Text.Json.JsonException) { envelope = null; }
        if (envelope is null || envelope.Tenant is null || envelope.Service is null || envelope.Payload is null || envelope.Version is null)
            return Refuse(400, "the body is not a metadata envelope");

        var o = options.Value;
        var service = o.Services.FirstOrDefault(s => s.Tenant == envelope.Tenant && s.Service == envelope.Service);
        if (service is null) return Refuse(403, $"this agent is not configured for {envelope.Tenant}/{envelope.Service}");

        var check = PushSignature.Verify(service.AllSecrets(), timestamp, signature, body, time.GetUtcNow(), o.ClockSkew);
        if (check != PushSignature.Verdict.Valid) return Refuse(401, $"signature rejected: {check}");
        if (o.Node is not null && envelope.Node != o.Node) return Refuse(403, $"envelope is for node '{envelope.Node}', this is '{o.Node}'");

        byte[] payload;
        try { payload = Convert.FromBase64String(envelope.Payload); }
        catch (FormatException) { return Refuse(400, "payload is not base64"); }
        if (MetadataItem.VersionOf(payload) != envelope.Version) return Refuse(400, "payload does not match its version");
        if (!Envelope.TryParseTime(envelope.IssuedAt, out _) || !Envelope.TryParseTime(envelope.ExpiresAt, out _))
            return Refuse(400, "issuedAt and expiresAt must be RFC 3339 times");

        var outcome = await store.AcceptAsync(envelope, payload, body, ct);
        switch (outcome)
        {
            case MetadataStore.Outcome.Older:
                return Refuse(409, "refused: older than the metadata this node holds");
            case MetadataStore.Outcome.Stored:
                log.LogInformation("stored {Version} for {Tenant}/{Service}, expires {ExpiresAt}", envelope.Version, envelope.Tenant, envelope.Service, envelope.ExpiresAt);
                hook.RunInBackground(service, store.DirectoryOf(envelope.Tenant, envelope.Service));
                break;
        }
        return new Verdict(200, envelope.Version, null);
    }

    private Verdict Refuse(int status, string error)
    {
        log.LogWarning("push refused ({Status}): {Error}", status, error);
        return new Verdict(status, null, error);
    }
}
