using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using MetadataDelivery.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Engine.S3;

/// <summary>One S3 client per member, configured from <c>Mds:S3</c>: AWS by default, or an S3-compatible
/// store (MinIO, s3rver) with <c>ServiceUrl</c> and <c>ForcePathStyle</c>.</summary>
public sealed class S3ClientFactory(IOptions<MdsOptions> options) : IDisposable
{
    private readonly Lazy<IAmazonS3> _client = new(() => Create(options.Value.S3));

    public IAmazonS3 Client => _client.Value;

    private static IAmazonS3 Create(S3Options o)
    {
        var config = new AmazonS3Config { ForcePathStyle = o.ForcePathStyle, Timeout = o.Timeout, MaxErrorRetry = 2 };
        if (!string.IsNullOrWhiteSpace(o.ServiceUrl))
        {
            config.ServiceURL = o.ServiceUrl;
            config.AuthenticationRegion = o.Region ?? "us-east-1";
        }
        else if (!string.IsNullOrWhiteSpace(o.Region)) config.RegionEndpoint = RegionEndpoint.GetBySystemName(o.Region);
        else if (FallbackRegionFactory.GetRegionEndpoint() is null) config.RegionEndpoint = RegionEndpoint.USEast1;

        return !string.IsNullOrEmpty(o.AccessKeyId) && !string.IsNullOrEmpty(o.SecretAccessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(o.AccessKeyId, o.SecretAccessKey), config)
            : new AmazonS3Client(config);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}
