using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>One attempt for one node: everything the NodeDeliveryActor needs, fixed at its start.</summary>
/// <param name="Cached">an item fetched by an earlier failed attempt and still fresh enough to reuse.</param>
/// <param name="OnlyIfChangedFrom">a refresh check: push only when the fetched version differs from this one.</param>
public sealed record DeliveryJob(
    ServiceKey Key, ServiceSpec Spec, IReadOnlyList<string> Secrets, string DeliveryId, string Node, string Address,
    MetadataItem? Cached, string? OnlyIfChangedFrom);

public enum AttemptResult { Acked, Failed, Unchanged }

/// <summary>The report a NodeDeliveryActor sends its partition before it stops (local only). When the partition itself
/// is stopping, the report of an abandoned attempt has nowhere to go: not worth a dead-letter log line.</summary>
public sealed record DeliveryAttemptFinished(string DeliveryId, string Node, AttemptResult Result, MetadataItem? Item, string? Error, TimeSpan Elapsed)
    : Akka.Event.IDeadLetterSuppression;
