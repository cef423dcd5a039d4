using Akka.Cluster.Sharding;
using MetadataDelivery.Engine.Partitions;

namespace MetadataDelivery.Engine.Sharding;

public sealed class PartitionMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithPartitionId m => m.Partition.EntityId,
        _ => null,
    };
}
