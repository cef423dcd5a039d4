using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Events;

/// <summary>Everything a ServiceActor journals. Each is applied by <see cref="ServiceState.Apply"/>.</summary>
public interface IServiceEvent : IMdsSerializable;

public sealed record ServiceRegistered(ServiceKey Key, ServiceSpec Spec, string Secret, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceSpecUpdated(ServiceSpec Spec, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceDeleted(DateTimeOffset At) : IServiceEvent;

public sealed record DeliverySecretRotated(string Secret, string PreviousSecret, DateTimeOffset PreviousValidUntil) : IServiceEvent;

/// <summary>A node map is being sent to <paramref name="Partitions"/> partitions as distribution <paramref name="Generation"/>.
/// Journaled before any partition hears of it, so every partition ever contacted is known (and can be retired),
/// and no two distributions share a generation.</summary>
public sealed record NodeMapDistributionStarted(long Generation, int Partitions, DateTimeOffset At) : IServiceEvent;

/// <summary>Every partition acknowledged the retirement of configuration <paramref name="ConfigVersion"/> (the deletion).</summary>
public sealed record PartitionsRetired(long ConfigVersion, DateTimeOffset At) : IServiceEvent;

/// <summary>A node map that every partition has applied (each journals its own slice of the diff).</summary>
public sealed record NodeMapApplied(long Generation, string? ETag, int NodeCount, int Partitions, DateTimeOffset At) : IServiceEvent;

public sealed record NodeMapRejected(string Error, DateTimeOffset At) : IServiceEvent;
