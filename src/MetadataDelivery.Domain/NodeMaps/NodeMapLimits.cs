namespace MetadataDelivery.Domain.NodeMaps;

public sealed record NodeMapLimits(long MaxBytes, int MaxNodes)
{
    public static readonly NodeMapLimits Default = new(512L * 1024 * 1024, 2_000_000);
}
