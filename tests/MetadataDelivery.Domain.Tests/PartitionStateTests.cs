using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Tests;

public class PartitionStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly PartitionKey Key = new(new ServiceKey("acme", "payments"), 3);
    private static readonly ServiceSpec Spec = new("payments", "file:///n.json", new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.66, null),
        new DeliverySpec("http", 7070, "/v1/metadata", 256));

    private static PartitionState Configured()
    {
        var s = new PartitionState(Key);
        s.Apply(new PartitionConfigured(1, Spec, "secret", [], T0));
        s.Apply(new NodeSliceApplied(1, 4, [new NodeEntry("a", "h1"), new NodeEntry("b", "h2")], [], [], T0));
        return s;
    }

    [Fact]
    public void A_slice_of_a_small_service_is_held_at_its_size()
    {
        var s = Configured();
        var slice = Enumerable.Range(0, 98).Select(i => new NodeEntry($"n{i:D2}", $"10.0.0.{i}:7070")).ToList();
        NodeEntry[] moved = [new("a", "h1:7443"), new("b", "h2:7443")];
        s.Apply(new NodeSliceApplied(2, 4, slice, [], moved, T0));
        // "a"/"h1", "b"/"h2", the slice, and the new addresses of "a" and "b" (the old entries stay until the text compacts).
        var text = 2 * (4 + 1 + 2) + slice.Sum(n => 4 + n.Id.Length + n.Address.Length) + moved.Sum(n => 4 + n.Id.Length + n.Address.Length);
        // 100 records of 88 bytes and their 4-byte text references (doubling would hold 128), the text, a 128-entry index.
        Assert.Equal(100 * 92 + text + 128 * 4, s.Nodes.AllocatedBytes);

        var recovered = PartitionState.FromSnapshot(s.ToSnapshot());
        Assert.Equal(100, recovered.Nodes.Count);
        Assert.Equal(100 * 92 + text - 2 * (4 + 1 + 2) + 128 * 4, recovered.Nodes.AllocatedBytes); // recovery holds no slack either, nor the old addresses
    }

    [Fact]
    public void Slices_add_remove_and_readdress_nodes()
    {
        var s = Configured();
        s.Apply(new NodeSliceApplied(2, 4, [new NodeEntry("c", "h3")], ["a"], [new NodeEntry("b", "h2:9000")], T0.AddMinutes(1)));
        Assert.Equal(["b", "c"], s.Nodes.Slots.Select(s.Nodes.IdOf).Order());
        Assert.True(s.Nodes.TryGetSlot("b", out var b));
        Assert.Equal("h2:9000", s.Nodes.AddressOf(b));
        Assert.True(s.Nodes.TryGetValue("c", out var c));
        Assert.Equal(T0.AddMinutes(1), c.AddedAt);
        Assert.Equal(2, s.SliceGeneration);
    }

    [Fact]
    public void Outcomes_apply_to_known_nodes_and_ignore_removed_ones()
    {
        var s = Configured();
        s.Apply(new DeliveryOutcomesRecorded([
            new DeliveryOutcome("a", NodeState.Delivered, "sha256:1", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null),
            new DeliveryOutcome("gone", NodeState.Delivered, "sha256:1", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null),
        ]));
        Assert.True(s.Nodes.TryGetValue("a", out var a));
        Assert.Equal(NodeState.Delivered, a.State);
        Assert.Equal(new NodeCounts(2, 1, 1, 0, 0), s.Counts());
    }

    [Fact]
    public void Partitions_share_the_services_max_concurrency()
    {
        var s = Configured(); // 4 partitions, maxConcurrency 256
        Assert.Equal(64, s.MaxConcurrency);
        s.Apply(new NodeSliceApplied(2, 1024, [], [], [], T0));
        Assert.Equal(1, s.MaxConcurrency); // never zero
    }

    [Fact]
    public void Retirement_drops_the_nodes_and_the_secrets()
    {
        var s = Configured();
        s.Apply(new PartitionConfigured(2, null, null, [], T0));
        Assert.True(s.IsRetired);
        Assert.False(s.IsActive);
        Assert.Equal(0, s.Nodes.Count);
        Assert.Empty(s.Nodes.Slots);
        Assert.Empty(s.ValidSecrets(T0));
    }

    [Fact]
    public void Configuration_carries_the_secrets_in_their_grace_period()
    {
        var s = new PartitionState(Key);
        s.Apply(new PartitionConfigured(5, Spec, "new", [new PreviousSecret("old", T0.AddMinutes(10))], T0));
        Assert.Equal(["new", "old"], s.ValidSecrets(T0.AddMinutes(5)));
        Assert.Equal(["new"], s.ValidSecrets(T0.AddMinutes(11)));
    }

    [Fact]
    public void Snapshot_round_trips_the_whole_state()
    {
        var s = Configured();
        s.Apply(new DeliveryOutcomesRecorded([new DeliveryOutcome("a", NodeState.Retrying, "sha256:1", T0, T0, T0.AddHours(1), T0.AddSeconds(3), 2, "refused")]));
        var copy = PartitionState.FromSnapshot(s.ToSnapshot());
        Assert.Equal(s.ToSnapshot().Nodes, copy.ToSnapshot().Nodes);
        Assert.Equal(s.ToSnapshot() with { Nodes = [], PreviousSecrets = [] }, copy.ToSnapshot() with { Nodes = [], PreviousSecrets = [] });
    }
}
