namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>What changed between the node set a partition has and its fresh slice of the map
/// (computed by <see cref="Partitions.NodeTable.Diff"/>).</summary>
public sealed record NodeMapDiff(IReadOnlyList<NodeEntry> Added, IReadOnlyList<string> Removed, IReadOnlyList<NodeEntry> Readdressed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Readdressed.Count == 0;
}
