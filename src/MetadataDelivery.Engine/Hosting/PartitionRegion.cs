namespace MetadataDelivery.Engine.Hosting;

/// <summary>Registry key of the node-partition shard region (or proxy, on api-only members).</summary>
public sealed class PartitionRegion;
