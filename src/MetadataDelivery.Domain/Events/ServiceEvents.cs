using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Events;

/// <summary>Everything a ServiceActor journals. Each is applied by <see cref="ServiceState.Apply"/>.</summary>
public interface IServiceEvent : IMdsSerializable;

public sealed record ServiceRegistered(ServiceKey Key, ServiceSpec Spec, string Secret, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceSpecUpdated(ServiceSpec Spec, DateTimeOffset At) : IServiceEvent;

public sealed record ServiceDeleted(DateTimeOffset At) : IServiceEvent;

public sealed record DeliverySecretRotated(string Secret, string PreviousSecret, DateTimeOffset PreviousValidUntil) : IServiceEvent;

/// <summary>A node map that every partition has applied (each journals its own slice of the diff).</summary>
public sealed record NodeMapApplied(long Generation, string? ETag, int NodeCount, int Partitions, DateTimeOffset At) : IServiceEvent;

public sealed record NodeMapRejected(string Error, DateTimeOffset At) : IServiceEvent;
