using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Storage;

public sealed record TenantRecord(string Name, DateTimeOffset CreatedAt);

/// <summary>Tenants, their key hashes, and the read model of which services exist (for listing).
/// ServiceActors are the source of truth for services; they upsert their row here.</summary>
public interface ICatalogStore
{
    Task<bool> CreateTenantAsync(string name, string keyHash, DateTimeOffset at);
    Task<IReadOnlyList<TenantRecord>> ListTenantsAsync();
    Task<bool> TenantExistsAsync(string name);
    Task<bool> DeleteTenantAsync(string name);
    Task<bool> AddTenantKeyAsync(string name, string keyHash, DateTimeOffset at);
    Task<string?> FindTenantByKeyHashAsync(string keyHash);

    Task UpsertServiceAsync(ServiceKey key, DateTimeOffset at);
    Task DeleteServiceAsync(ServiceKey key);
    Task<bool> ServiceExistsAsync(ServiceKey key);
    Task<(IReadOnlyList<string> Names, string? NextCursor)> ListServicesAsync(string tenant, int limit, string? after);
    Task<IReadOnlyList<string>> AllServicesOfTenantAsync(string tenant);
}

/// <summary>The last envelope built for each node (the pull path, CONTRACT §2): overwritten, never appended.</summary>
public interface IEnvelopeStore
{
    Task SaveAsync(ServiceKey key, string node, ReadOnlyMemory<byte> envelope, CancellationToken ct = default);
    Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default);
    Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes);
    Task DeleteServiceAsync(ServiceKey key);
}
