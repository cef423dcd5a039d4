using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Sharding;

/// <summary>Every message routed to a ServiceActor carries the service it is for.</summary>
public interface IWithServiceId
{
    ServiceKey Key { get; }
}
