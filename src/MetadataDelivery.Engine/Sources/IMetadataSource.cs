using MetadataDelivery.Domain.Delivery;

namespace MetadataDelivery.Engine.Sources;

public sealed record MetadataFetchContext(string Tenant, string Service, string Node, TimeSpan Ttl);

/// <summary>Where a service's metadata comes from. Implementations throw <see cref="MetadataFetchException"/>
/// with a message fit for <c>lastError</c>.</summary>
public interface IMetadataSource
{
    Task<MetadataItem> FetchAsync(MetadataFetchContext context, CancellationToken ct);
}

public sealed class MetadataFetchException(string message, Exception? inner = null) : Exception(message, inner);
