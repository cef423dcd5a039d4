namespace MetadataDelivery.Engine.Services;

/// <summary>Sharding's hand-off stop message for ServiceActors and node partitions: journal what is still
/// batched, then stop (a PoisonPill would drop up to one batch of outcomes, which would then be delivered again).</summary>
public sealed record StopServiceActor
{
    public static readonly StopServiceActor Instance = new();
}

/// <summary>The stop message a ServiceActor asks its shard for when it passivates, told apart from a hand-off's
/// <see cref="StopServiceActor"/> so that the entity knows the stop was its own request (sent by the local shard only).</summary>
public sealed record StopPassivatedService
{
    public static readonly StopPassivatedService Instance = new();
}
