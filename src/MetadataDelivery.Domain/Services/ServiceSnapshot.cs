using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Domain.Services;

/// <summary>The whole of a <see cref="ServiceState"/>, as saved in the snapshot store.</summary>
public sealed record ServiceSnapshot(
    ServiceKey Key,
    ServiceSpec? Spec,
    string? Secret,
    IReadOnlyList<PreviousSecret> PreviousSecrets,
    DateTimeOffset? RegisteredAt,
    NodeMapStatus MapStatus,
    IReadOnlyList<NodeSnapshot> Nodes) : IMdsSerializable;

public sealed record PreviousSecret(string Secret, DateTimeOffset ValidUntil);

public sealed record NodeSnapshot(
    string Id, string Address, DateTimeOffset AddedAt, NodeState State, string? Version, DateTimeOffset? IssuedAt,
    DateTimeOffset? DeliveredAt, DateTimeOffset? ExpiresAt, DateTimeOffset? NextAttemptAt, int Attempts, string? LastError);
