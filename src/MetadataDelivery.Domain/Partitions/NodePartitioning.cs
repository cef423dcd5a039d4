using MetadataDelivery.Domain.NodeMaps;

namespace MetadataDelivery.Domain.Partitions;

/// <summary>Which partition holds a node, and how many partitions a service needs.
/// Counts are powers of two and only grow, so doubling moves each node either nowhere or from
/// partition p to p + count: half of every partition, never a reshuffle of the whole service.</summary>
public static class NodePartitioning
{
    /// <summary>A hash that is the same in every process (string.GetHashCode is randomized per process).</summary>
    public static uint StableHash(string node)
    {
        var hash = 2166136261u;
        foreach (var c in node)
        {
            hash = (hash ^ (byte)c) * 16777619u;
            hash = (hash ^ (byte)(c >> 8)) * 16777619u;
        }
        return hash;
    }

    public static int PartitionOf(string node, int partitions) =>
        partitions <= 1 ? 0 : (int)(StableHash(node) & (uint)(partitions - 1));

    /// <summary>The partition count for a map of <paramref name="nodeCount"/> nodes: the smallest power of two
    /// that keeps each partition at or under <paramref name="nodesPerPartition"/>, never fewer than today's.</summary>
    public static int CountFor(int nodeCount, int nodesPerPartition, int current)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodesPerPartition, 1);
        var needed = (nodeCount + (long)nodesPerPartition - 1) / nodesPerPartition;
        var count = 1;
        while (count < needed && count < MaxPartitions) count <<= 1;
        return Math.Max(count, Math.Max(current, 1));
    }

    public const int MaxPartitions = 4096;

    public static List<NodeEntry>[] Split(IReadOnlyList<NodeEntry> nodes, int partitions)
    {
        var slices = new List<NodeEntry>[partitions];
        for (var p = 0; p < partitions; p++) slices[p] = new List<NodeEntry>(nodes.Count / partitions + 16);
        foreach (var node in nodes) slices[PartitionOf(node.Id, partitions)].Add(node);
        return slices;
    }
}
