namespace MetadataDelivery.Engine.Hosting;

/// <summary>Registry key of the ServiceActor shard region (or proxy, on api-only members).</summary>
public sealed class ServiceRegion;
