using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Engine.Metrics;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>Sends one signed envelope to a node agent and checks the ack (CONTRACT §3).</summary>
public sealed class PushClient(HttpClient http, MdsMetrics metrics, TimeProvider time, TimeSpan timeout)
{
    public const string ClientName = "push";
    private const int MaxAckBytes = 64 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<PushResult> SendAsync(PushJob job)
    {
        using var cts = new CancellationTokenSource(timeout);
        metrics.PushStarted();
        try
        {
            var ts = time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, job.Target);
            request.Content = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(job.Body, out var segment) ? new ByteArrayContent(segment.Array!, segment.Offset, segment.Count) : new ReadOnlyMemoryContent(job.Body);
            request.Content.Headers.ContentType = Json;
            request.Headers.TryAddWithoutValidation(PushSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(PushSignature.SignatureHeader, PushSignature.SignAll(job.Secrets, ts, job.Body.Span));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (!response.IsSuccessStatusCode)
                return PushResult.Fail($"agent answered {(int)response.StatusCode} {response.ReasonPhrase}");
            var version = await ReadAckVersionAsync(response.Content, cts.Token);
            if (version is null) return PushResult.Fail("agent answered 2xx without a JSON \"version\"");
            return version == job.Version ? PushResult.Ok : PushResult.Fail($"agent acked version {Truncate(version)}, expected {job.Version}");
        }
        catch (OperationCanceledException) { return PushResult.Fail($"agent did not answer within {timeout.TotalSeconds:0.#} s"); }
        catch (HttpRequestException ex) { return PushResult.Fail($"agent unreachable: {ex.Message}"); }
        catch (Exception ex) { return PushResult.Fail($"push failed: {ex.GetType().Name}: {ex.Message}"); }
        finally { metrics.PushFinished(); }
    }

    /// <summary>Reads at most 64 KB of the ack into a pooled buffer (acks are tiny; a fresh 64 KB array per
    /// push was most of the push path's garbage) and returns its "version".</summary>
    private static async Task<string?> ReadAckVersionAsync(HttpContent content, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxAckBytes);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(ct);
            var total = 0;
            int read;
            while (total < MaxAckBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, MaxAckBytes - total), ct)) > 0) total += read;
            return AckVersion(buffer.AsMemory(0, total));
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static string? AckVersion(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
