using System.Text.Json;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Host.Api;

/// <summary><c>POST /v1/services/{name}/nodes/{node}/acks?tenant=</c>: a node says it now holds the version it pulled,
/// in a body <c>{"node","version"}</c> signed like a push (<c>X-Mds-Timestamp</c>, <c>X-Mds-Signature</c> over
/// "&lt;ts&gt;.&lt;body&gt;"). Only then does a pull count as the node's delivery: the pull's own signature covers
/// no node and no version (a replay of one could otherwise mark any node delivered), and a pull the agent never
/// stored must not stop its retries. The version must be the one last built for the node.</summary>
public static class PullAckEndpoint
{
    public const int MaxBytes = 1024;

    public sealed record PullAck(string? Node, string? Version);

    public static async Task<IResult> AckAsync(HttpContext http, string name, string node, string? tenant, ICatalogStore catalog,
        ServiceClient services, IEnvelopeStore envelopes, TimeProvider time)
    {
        if (!http.Request.Headers.ContainsKey(PushSignature.SignatureHeader))
            return Problems.Status(401, "Unauthorized", "A pull acknowledgement is signed by the node with its service's delivery secret.");
        if (tenant is null || !Names.IsValidResourceName(tenant))
            return Problems.Validation("tenant", "a signed acknowledgement must name its tenant: ?tenant=<tenant>");
        if (!Names.IsValidResourceName(name)) return Problems.Status(401, "Unauthorized", "The node signature is not valid.");
        if (!Names.IsValidNodeId(node)) return Problems.NodeNotFound(name, Access.Truncate(node));
        var key = new ServiceKey(tenant, name);
        if (!await catalog.ServiceExistsAsync(key)) return Problems.Status(401, "Unauthorized", "The node signature is not valid.");

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            var chunk = new byte[MaxBytes];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBytes) return Problems.Status(413, "Payload too large", $"An acknowledgement is at most {MaxBytes} bytes.");
                buffer.Write(chunk, 0, read);
            }
            body = buffer.ToArray();
        }

        var (secretsReply, error) = await services.AskAsync(new GetDeliverySecrets(key), ct: http.RequestAborted);
        if (error is not null) return error;
        if (secretsReply is not DeliverySecrets secrets) return Problems.ServiceNotFound(name);
        var verdict = PushSignature.Verify(secrets.Secrets, http.Request.Headers[PushSignature.TimestampHeader],
            http.Request.Headers[PushSignature.SignatureHeader], body, time.GetUtcNow(), NodeEndpoints.PullSkew);
        if (verdict != PushSignature.Verdict.Valid) return Problems.Status(401, "Unauthorized", $"The node signature is not valid ({verdict}).");

        PullAck? ack;
        try { ack = JsonSerializer.Deserialize<PullAck>(body, JsonBody.Options); }
        catch (JsonException) { ack = null; }
        if (ack?.Node is null || string.IsNullOrEmpty(ack.Version))
            return Problems.Validation("body", "must be a JSON object {\"node\": \"<node id>\", \"version\": \"<version held>\"}");
        if (ack.Node != node) return Problems.Validation("node", $"names node '{Access.Truncate(ack.Node)}', but the path names '{node}'");

        var envelope = await envelopes.GetAsync(key, node, http.RequestAborted);
        if (envelope is null || !Envelope.TryReadItemFacts(envelope, out var built, out var issuedAt, out var expiresAt))
            return Problems.Status(404, "No metadata yet", $"No metadata has been built for node '{node}' of '{name}'.");
        if (built != ack.Version)
            return Problems.Status(409, "Not the current version", $"The version last built for node '{node}' is {built}; a pull of it is what can be acknowledged.");
        services.Tell(new NodePulled(key, node, built, issuedAt, expiresAt));
        return Results.Accepted();
    }
}
