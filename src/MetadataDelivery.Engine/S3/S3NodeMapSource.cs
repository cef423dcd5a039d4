using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Engine.NodeMaps;

namespace MetadataDelivery.Engine.S3;

/// <summary><c>s3://bucket/key</c> node maps: a conditional GET (If-None-Match with the last ETag, so an
/// unchanged map costs one 304) streamed straight into the parser.</summary>
public sealed class S3NodeMapSource(S3ClientFactory s3, NodeMapLimits limits) : INodeMapSource
{
    public bool CanRead(Uri location) => location.Scheme == "s3";

    public async Task<NodeMapFetch> FetchAsync(Uri location, string? etag, CancellationToken ct)
    {
        if (!S3Location.TryParse(location.OriginalString, out var where))
            return new NodeMapFetch.Failed($"'{location}' is not s3://bucket/key");
        try
        {
            var request = new GetObjectRequest { BucketName = where.Bucket, Key = where.Key };
            if (etag is not null) request.EtagToNotMatch = etag;
            using var response = await s3.Client.GetObjectAsync(request, ct);
            if (response.Headers.ContentLength > limits.MaxBytes)
                return new NodeMapFetch.Read(NodeMapParseResult.Invalid($"node map is {response.Headers.ContentLength} bytes, over the limit of {limits.MaxBytes}"), response.ETag);
            await using var body = response.ResponseStream;
            var result = await NodeMapParser.ParseAsync(body, limits, ct);
            return new NodeMapFetch.Read(result, response.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotModified)
        {
            return new NodeMapFetch.NotModified();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return new NodeMapFetch.Failed($"{where} does not exist ({ex.ErrorCode})");
        }
        catch (AmazonS3Exception ex)
        {
            return new NodeMapFetch.Failed($"reading {where} failed: {(int)ex.StatusCode} {ex.ErrorCode}: {ex.Message}");
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new NodeMapFetch.Failed($"S3 unreachable reading {where}: {ex.GetBaseException().Message}");
        }
    }
}
