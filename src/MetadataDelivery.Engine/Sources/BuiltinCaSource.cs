using MetadataDelivery.Domain.Delivery;

namespace MetadataDelivery.Engine.Sources;

/// <summary><c>builtin:ca</c>: a fresh certificate and key per node from the system's own CA.</summary>
public sealed class BuiltinCaSource(CertificateAuthority ca, TimeProvider time) : IMetadataSource
{
    public const string ContentType = "application/x-pem-file";

    public Task<MetadataItem> FetchAsync(MetadataFetchContext context, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var payload = ca.Issue(context.Tenant, context.Service, context.Node, now, context.Ttl);
        var expiresAt = ExpiryRule.Compute(now, context.Ttl, null, payload);
        return Task.FromResult(new MetadataItem(payload, ContentType, now, expiresAt));
    }
}
