using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;

namespace MetadataDelivery.Domain.Tests;

public class NodePartitioningTests
{
    [Theory]
    [InlineData(0, 20_000, 0, 1)]
    [InlineData(20_000, 20_000, 1, 1)]
    [InlineData(20_001, 20_000, 1, 2)]
    [InlineData(200_000, 10_000, 1, 32)]      // 20 needed → next power of two
    [InlineData(1_000_000, 20_000, 1, 64)]
    [InlineData(10, 20_000, 8, 8)]            // never shrinks
    public void Count_is_the_smallest_power_of_two_that_fits(int nodes, int perPartition, int current, int expected) =>
        Assert.Equal(expected, NodePartitioning.CountFor(nodes, perPartition, current));

    [Fact]
    public void The_hash_is_fixed_across_processes()
    {
        // Pinned values: a change here would move every node of every partitioned service.
        Assert.Equal(NodePartitioning.StableHash("node-000001"), NodePartitioning.StableHash("node-000001"));
        Assert.Equal(0x811C9DC5u, NodePartitioning.StableHash(""));
        Assert.NotEqual(NodePartitioning.StableHash("node-000001"), NodePartitioning.StableHash("node-000002"));
    }

    [Fact]
    public void Doubling_moves_a_node_nowhere_or_to_p_plus_count()
    {
        for (var i = 0; i < 10_000; i++)
        {
            var node = $"node-{i}";
            var before = NodePartitioning.PartitionOf(node, 16);
            var after = NodePartitioning.PartitionOf(node, 32);
            Assert.True(after == before || after == before + 16, $"{node}: {before} → {after}");
        }
    }

    [Fact]
    public void Nodes_spread_evenly_over_partitions()
    {
        var nodes = Enumerable.Range(0, 200_000).Select(i => new NodeEntry($"node-{i:D7}", "127.0.0.1:1")).ToList();
        var slices = NodePartitioning.Split(nodes, 32);
        Assert.Equal(200_000, slices.Sum(s => s.Count));
        Assert.All(slices, s => Assert.InRange(s.Count, 200_000 / 32 * 0.9, 200_000 / 32 * 1.1));
        Assert.All(slices.Select((s, p) => (s, p)), x => Assert.All(x.s, n => Assert.Equal(x.p, NodePartitioning.PartitionOf(n.Id, 32))));
    }
}
