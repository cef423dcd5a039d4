using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Partitions;

/// <summary>The whole of a <see cref="PartitionState"/>, as saved in the snapshot store.</summary>
public sealed record PartitionSnapshot(
    PartitionKey Key,
    long ConfigVersion,
    ServiceSpec? Spec,
    string? Secret,
    IReadOnlyList<PreviousSecret> PreviousSecrets,
    long SliceGeneration,
    int PartitionCount,
    IReadOnlyList<NodeSnapshot> Nodes) : IMdsSerializable;

public sealed record NodeSnapshot(
    string Id, string Address, DateTimeOffset AddedAt, NodeState State, string? Version, DateTimeOffset? IssuedAt,
    DateTimeOffset? DeliveredAt, DateTimeOffset? ExpiresAt, DateTimeOffset? NextAttemptAt, int Attempts, string? LastError);
