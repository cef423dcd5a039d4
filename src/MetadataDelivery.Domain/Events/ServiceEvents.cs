using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Events;

/// <summary>Everything a ServiceActor journals. Each is applied by <see cref="ServiceState.Apply"/>.</summary>
public interface IServiceEvent : IMdsSerializable;

public sealed record ServiceRegistered(ServiceKey Key, ServiceSpec Spec, string Secret, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceSpecUpdated(ServiceSpec Spec, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceDeleted(DateTimeOffset At) : IServiceEvent;

public sealed record DeliverySecretRotated(string Secret, string PreviousSecret, DateTimeOffset PreviousValidUntil) : IServiceEvent;

/// <summary>The diff of a node-map sync, not the whole map.</summary>
public sealed record NodeMapApplied(
    IReadOnlyList<NodeEntry> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<NodeEntry> Readdressed,
    string? ETag,
    int NodeCount,
    DateTimeOffset At) : IServiceEvent;

public sealed record NodeMapRejected(string Error, DateTimeOffset At) : IServiceEvent;

/// <summary>A batch of per-node delivery outcomes, written together to keep the journal small.</summary>
public sealed record DeliveryOutcomesRecorded(IReadOnlyList<DeliveryOutcome> Outcomes) : IServiceEvent;
