using System.Net.Http.Headers;
using MetadataDelivery.Domain.Delivery;

namespace MetadataDelivery.Engine.Sources;

/// <summary>GETs an http(s) URI template; the body is the payload, Content-Type is kept, and an
/// <c>Expires</c> header caps the item's expiry.</summary>
public sealed class HttpMetadataSource(string template, IHttpClientFactory clients, TimeSpan timeout, int maxPayloadBytes, TimeProvider time)
    : IMetadataSource
{
    public const string ClientName = "metadata-source";

    public async Task<MetadataItem> FetchAsync(MetadataFetchContext context, CancellationToken ct)
    {
        var url = UriTemplate.Expand(template, context);
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            var client = clients.CreateClient(ClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token);
            if (!response.IsSuccessStatusCode)
                throw new MetadataFetchException($"source {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentLength > maxPayloadBytes)
                throw new MetadataFetchException($"source {url} payload of {response.Content.Headers.ContentLength} bytes exceeds the limit of {maxPayloadBytes}");
            var payload = await ReadBoundedAsync(response.Content, url, timeoutCts.Token);
            if (payload.Length == 0) throw new MetadataFetchException($"source {url} returned an empty body");

            var fetchedAt = time.GetUtcNow();
            var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            var expires = response.Content.Headers.Expires;
            var expiresAt = ExpiryRule.Compute(fetchedAt, context.Ttl, expires, payload);
            if (expiresAt <= fetchedAt.AddSeconds(1))
                throw new MetadataFetchException($"source {url} returned metadata that is already expired (expires {expiresAt:O})");
            return new MetadataItem(payload, contentType, fetchedAt, expiresAt);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MetadataFetchException($"source {url} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            throw new MetadataFetchException($"source {url} unreachable: {ex.Message}", ex);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, string url, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        if (content.Headers.ContentLength is { } length and > 0)
        {
            // The usual case: read straight into an array of the announced size (checked against the limit above).
            var payload = new byte[length];
            var got = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, ct);
            if (got < payload.Length) throw new MetadataFetchException($"source {url} closed the body after {got} of {length} bytes");
            if (await stream.ReadAsync(new byte[1], ct) > 0) throw new MetadataFetchException($"source {url} sent more than its Content-Length");
            return payload;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxPayloadBytes)
                throw new MetadataFetchException($"source {url} payload exceeds the limit of {maxPayloadBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
