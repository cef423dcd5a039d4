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
    long ConfigVersion,
    long MapGeneration,
    int PartitionCount,
    long DistributionGeneration,
    long RetiredConfigVersion) : IMdsSerializable;
