using MetadataDelivery.Domain;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Partitions;

/// <summary>Every message routed to a node partition carries the partition it is for.</summary>
public interface IWithPartitionId
{
    PartitionKey Partition { get; }
}

// From the ServiceActor (or, forwarded, from an API caller) to a partition. They cross members through sharding.
public interface IPartitionCommand : IWithPartitionId, IMdsSerializable;

/// <summary>The service's delivery configuration as of <paramref name="Version"/>. A null spec retires the partition.</summary>
public sealed record ConfigurePartition(PartitionKey Partition, long Version, ServiceSpec? Spec, string? Secret, IReadOnlyList<PreviousSecret> PreviousSecrets)
    : IPartitionCommand;

/// <summary>One chunk of the whole set of nodes this partition must hold as of node map <paramref name="Generation"/>.
/// The partition applies the slice once it has every chunk of the same <paramref name="Distribution"/>; resending a slice is harmless.</summary>
/// <remarks>
/// <paramref name="PreviousPartitions"/> is the count before this distribution: partitions at or above it are new,
/// and their nodes moved in from older partitions, which hand over their delivery state.</remarks>
public sealed record AssignNodeSlice(
    PartitionKey Partition, long Generation, string Distribution, int Partitions, int PreviousPartitions, int Chunk, int Chunks,
    IReadOnlyList<NodeEntry> Nodes) : IPartitionCommand;

/// <summary>From a partition to the new partition its nodes moved to when the service grew: their delivery state,
/// so that a node holding a valid item is renewed on schedule instead of being delivered again at once.</summary>
public sealed record HandOverNodes(PartitionKey Partition, IReadOnlyList<HandedOverNode> Nodes) : IPartitionCommand;
public sealed record HandedOverNode(string Address, DeliveryOutcome State);

public sealed record GetPartitionNode(PartitionKey Partition, string Node) : IPartitionCommand;
public sealed record ListPartitionNodes(PartitionKey Partition, NodeState? State, int Limit, string? Cursor) : IPartitionCommand;
public sealed record ForcePartitionDelivery(PartitionKey Partition, string Node, bool WaitForAck) : IPartitionCommand;
/// <summary>The node fetched this item through the signed pull path (see <c>DeliveryDecisions.Pulled</c>); no reply.</summary>
public sealed record PartitionNodePulled(PartitionKey Partition, string Node, string Version, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
    : IPartitionCommand;

/// <summary>Where this partition runs and how many nodes it holds (the admin sharding view).</summary>
public sealed record LocatePartition(PartitionKey Partition) : IPartitionCommand;
public sealed record PartitionLocation(int Index, string Member, int Nodes) : IServiceReply;

// From a partition back to its ServiceActor (routed by service key).
public sealed record PartitionConfigAcked(ServiceKey Key, int Index, long Version, NodeCounts Counts) : IServiceCommand;
public sealed record NodeSliceAcked(ServiceKey Key, int Index, long Generation, NodeCounts Counts) : IServiceCommand;
public sealed record PartitionCountsChanged(ServiceKey Key, int Index, NodeCounts Counts) : IServiceCommand;
