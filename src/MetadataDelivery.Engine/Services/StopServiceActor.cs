namespace MetadataDelivery.Engine.Services;

/// <summary>Sharding's hand-off stop message for ServiceActors and node partitions: journal what is still
/// batched, then stop (a PoisonPill would drop up to one batch of outcomes, which would then be delivered again).</summary>
public sealed record StopServiceActor
{
    public static readonly StopServiceActor Instance = new();
}
