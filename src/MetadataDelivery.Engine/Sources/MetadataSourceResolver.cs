using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.S3;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Engine.Sources;

/// <summary>Picks the source implementation for a service's <c>metadata.source</c>.</summary>
public sealed class MetadataSourceResolver(
    IHttpClientFactory clients, IOptions<MdsOptions> options, Lazy<CertificateAuthority> ca, S3ClientFactory s3, TimeProvider time)
{
    public IMetadataSource Resolve(string source)
    {
        if (source == ServiceSpecValidator.BuiltinCa) return new BuiltinCaSource(ca.Value, time);
        if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return new HttpMetadataSource(source, clients, options.Value.Delivery.FetchTimeout, options.Value.Delivery.MaxPayloadBytes, time);
        if (source.StartsWith("s3://", StringComparison.Ordinal))
            return new S3MetadataSource(source, s3, options.Value.Delivery.MaxPayloadBytes, time);
        throw new MetadataFetchException($"metadata source '{source}' is not supported by this build");
    }
}
