using Akka.Cluster.Sharding;

namespace MetadataDelivery.Engine.Sharding;

public sealed class ServiceMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithServiceId m => m.Key.EntityId,
        _ => null,
    };
}
