using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Events;

/// <summary>Everything a node partition journals. Each is applied by <see cref="Partitions.PartitionState.Apply"/>.</summary>
public interface IPartitionEvent : IMdsSerializable;

/// <summary>The service's delivery configuration as of <paramref name="Version"/>; a null spec retires the partition.</summary>
public sealed record PartitionConfigured(long Version, ServiceSpec? Spec, string? Secret, IReadOnlyList<PreviousSecret> PreviousSecrets, DateTimeOffset At)
    : IPartitionEvent;

/// <summary>This partition's slice of the diff of node map <paramref name="Generation"/>, which the service
/// split into <paramref name="Partitions"/> partitions.</summary>
public sealed record NodeSliceApplied(
    long Generation,
    int Partitions,
    IReadOnlyList<NodeEntry> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<NodeEntry> Readdressed,
    DateTimeOffset At) : IPartitionEvent;

/// <summary>A batch of per-node delivery outcomes, written together to keep the journal small.</summary>
public sealed record DeliveryOutcomesRecorded(IReadOnlyList<DeliveryOutcome> Outcomes) : IPartitionEvent;
