using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>One attempt for one node: everything a NodeDeliveryActor needs to run it, fixed at the attempt's start.</summary>
/// <param name="Cached">an item fetched by an earlier failed attempt and still fresh enough to reuse.</param>
/// <param name="OnlyIfChangedFrom">a refresh check: push only when the fetched version differs from this one.</param>
public sealed record DeliveryJob(
    ServiceKey Key, ServiceSpec Spec, IReadOnlyList<string> Secrets, string DeliveryId, string Node, string Address,
    MetadataItem? Cached, string? OnlyIfChangedFrom);

public enum AttemptResult { Acked, Failed, Unchanged }

/// <summary>The report a NodeDeliveryActor sends its partition at the end of an attempt (local only). When the partition
/// itself is stopping, the report of an abandoned attempt has nowhere to go: not worth a dead-letter log line.</summary>
/// <param name="WorkerIdle">the worker that ran it waits for another job; otherwise it is stopping.</param>
public sealed record DeliveryAttemptFinished(string DeliveryId, string Node, AttemptResult Result, MetadataItem? Item, string? Error, TimeSpan Elapsed,
    bool WorkerIdle = false) : Akka.Event.IDeadLetterSuppression;
