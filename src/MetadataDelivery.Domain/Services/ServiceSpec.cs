namespace MetadataDelivery.Domain.Services;

/// <summary>A service as registered: validated, normalised, immutable.</summary>
public sealed record ServiceSpec(string Name, string NodeMap, MetadataSpec Metadata, DeliverySpec Delivery);

public sealed record MetadataSpec(string Source, TimeSpan Ttl, double RenewAt, TimeSpan? RefreshInterval);

public sealed record DeliverySpec(string Scheme, int Port, string Path, int MaxConcurrency);
