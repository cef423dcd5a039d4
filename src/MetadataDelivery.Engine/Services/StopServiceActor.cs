namespace MetadataDelivery.Engine.Services;

/// <summary>Sharding's hand-off stop message for ServiceActors: flush batched outcomes, then stop
/// (a PoisonPill would drop up to one batch, which would then be delivered again).</summary>
public sealed record StopServiceActor
{
    public static readonly StopServiceActor Instance = new();
}
