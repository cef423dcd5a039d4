using System.Security.Cryptography;
using MetadataDelivery.Domain.Delivery;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Agent;

/// <summary>On start, when <c>Agent:ApiUrl</c> is set, pulls the current metadata of each configured service
/// (signed with the service's secret) so a node that was down catches up without waiting for a push.</summary>
public sealed class StartupPull(IOptions<AgentOptions> options, EnvelopeAcceptor acceptor, IHttpClientFactory clients,
    TimeProvider time, ILogger<StartupPull> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ApiUrl) || string.IsNullOrWhiteSpace(o.Node)) return;
        await Task.WhenAll(o.Services.Select(s => PullWithRetriesAsync(o, s, stoppingToken)));
    }

    private async Task PullWithRetriesAsync(AgentOptions o, AgentServiceOptions service, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; attempt <= 6 && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                if (await PullOnceAsync(o, service, ct)) return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Anything (bad ApiUrl, unwritable DataDir, …) is logged and retried; pushes keep working meanwhile.
                log.LogWarning("pull of {Service} failed (attempt {Attempt}): {Error}", service.Service, attempt, ex.Message);
            }
            await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 500)), ct);
            delay *= 2;
        }
    }

    /// <summary>Tells the system this node now holds the pulled version, so it shows the node delivered instead of
    /// retrying pushes until its next backoff. Best effort: without it, the next push is acked as usual.</summary>
    private async Task AcknowledgeAsync(AgentOptions o, AgentServiceOptions service, string secret, string version, CancellationToken ct)
    {
        var url = $"{o.ApiUrl!.TrimEnd('/')}/v1/services/{Uri.EscapeDataString(service.Service)}/nodes/{Uri.EscapeDataString(o.Node!)}/acks?tenant={Uri.EscapeDataString(service.Tenant)}";
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { node = o.Node, version });
        var ts = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(PushSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(PushSignature.SignatureHeader, PushSignature.Sign(secret, ts, body));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            using var response = await clients.CreateClient().SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode) log.LogInformation("acknowledged pulled {Version} of {Service}", version, service.Service);
            else log.LogWarning("acknowledging pulled {Version} of {Service} answered {Status}", version, service.Service, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning("acknowledging pulled {Version} of {Service} failed: {Error}", version, service.Service, ex.Message);
        }
    }

    /// <returns>true when done (stored, already held, or nothing to pull); false to retry.</returns>
    private async Task<bool> PullOnceAsync(AgentOptions o, AgentServiceOptions service, CancellationToken ct)
    {
        var secret = service.AllSecrets().FirstOrDefault();
        if (secret is null) { log.LogError("service {Service} has no secret configured; cannot pull", service.Service); return true; }
        var url = $"{o.ApiUrl!.TrimEnd('/')}/v1/services/{Uri.EscapeDataString(service.Service)}/nodes/{Uri.EscapeDataString(o.Node!)}/metadata?tenant={Uri.EscapeDataString(service.Tenant)}";
        var ts = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(PushSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(PushSignature.SignatureHeader, PushSignature.Sign(secret, ts, ReadOnlySpan<byte>.Empty));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var response = await clients.CreateClient().SendAsync(request, timeout.Token);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) { log.LogInformation("nothing to pull yet for {Service}", service.Service); return true; }
        if (!response.IsSuccessStatusCode) { log.LogWarning("pull of {Service} answered {Status}", service.Service, (int)response.StatusCode); return false; }
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        var verdict = await acceptor.AcceptAsync(body,
            response.Headers.TryGetValues(PushSignature.TimestampHeader, out var t) ? t.FirstOrDefault() : null,
            response.Headers.TryGetValues(PushSignature.SignatureHeader, out var s) ? s.FirstOrDefault() : null, ct);
        if (verdict.Status == 200)
        {
            log.LogInformation("pulled {Service}: stored {Version}", service.Service, verdict.Version);
            await AcknowledgeAsync(o, service, secret, verdict.Version!, ct);
        }
        else
            log.LogInformation("pulled {Service}: not stored ({Status}: {Error})", service.Service, verdict.Status, verdict.Error ?? "no reason given");
        return verdict.Status is 200 or 409;
    }
}
