using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Engine.Sources;

namespace MetadataDelivery.Engine.S3;

/// <summary><c>s3://bucket/prefix/{node}.pem</c>: the object is the payload, its Content-Type is kept, and its
/// <c>Expires</c> header (or <c>x-amz-meta-expires</c> metadata, RFC 3339) caps the expiry, like the HTTP source.</summary>
public sealed class S3MetadataSource(string template, S3ClientFactory s3, int maxPayloadBytes, TimeProvider time) : IMetadataSource
{
    public async Task<MetadataItem> FetchAsync(MetadataFetchContext context, CancellationToken ct)
    {
        var uri = UriTemplate.Expand(template, context);
        if (!S3Location.TryParse(uri, out var where)) throw new MetadataFetchException($"'{uri}' is not s3://bucket/key");
        try
        {
            using var response = await s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = where.Bucket, Key = where.Key }, ct);
            if (response.Headers.ContentLength > maxPayloadBytes)
                throw new MetadataFetchException($"{where} is {response.Headers.ContentLength} bytes, over the limit of {maxPayloadBytes}");
            using var buffer = new MemoryStream();
            await using (var body = response.ResponseStream)
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await body.ReadAsync(chunk, ct)) > 0)
                {
                    if (buffer.Length + read > maxPayloadBytes) throw new MetadataFetchException($"{where} exceeds the limit of {maxPayloadBytes} bytes");
                    buffer.Write(chunk, 0, read);
                }
            }
            var payload = buffer.ToArray();
            if (payload.Length == 0) throw new MetadataFetchException($"{where} is empty");
            var fetchedAt = time.GetUtcNow();
            var expiresAt = ExpiryRule.Compute(fetchedAt, context.Ttl, ExpiresOf(response), payload);
            if (expiresAt <= fetchedAt.AddSeconds(1)) throw new MetadataFetchException($"{where} is already expired (expires {expiresAt:O})");
            var contentType = string.IsNullOrEmpty(response.Headers.ContentType) ? "application/octet-stream" : response.Headers.ContentType;
            return new MetadataItem(payload, contentType, fetchedAt, expiresAt);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new MetadataFetchException($"{where} does not exist");
        }
        catch (AmazonS3Exception ex)
        {
            throw new MetadataFetchException($"reading {where} failed: {(int)ex.StatusCode} {ex.ErrorCode}", ex);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonClientException or HttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            throw new MetadataFetchException($"S3 unreachable reading {where}: {ex.GetBaseException().Message}", ex);
        }
    }

    private static DateTimeOffset? ExpiresOf(GetObjectResponse response)
    {
        if (!string.IsNullOrEmpty(response.ExpiresString) &&
            DateTimeOffset.TryParse(response.ExpiresString, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var header))
            return header;
        var meta = response.Metadata["x-amz-meta-expires"] ?? response.Metadata["expires"];
        return Envelope.TryParseTime(meta, out var fromMeta) ? fromMeta : null;
    }
}
