using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Tests;

public class ServiceStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServiceKey Key = new("acme", "payments");
    private static readonly ServiceSpec Spec = new("payments", "file:///n.json", new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.66, null),
        new DeliverySpec("http", 7070, "/v1/metadata", 256));

    private static ServiceState Registered()
    {
        var s = new ServiceState(Key);
        s.Apply(new ServiceRegistered(Key, Spec, "secret", T0));
        s.Apply(new NodeMapApplied([new NodeEntry("a", "h1"), new NodeEntry("b", "h2")], [], [], "e1", 2, T0));
        return s;
    }

    [Fact]
    public void Node_map_diffs_add_remove_and_readdress()
    {
        var s = Registered();
        s.Apply(new NodeMapApplied([new NodeEntry("c", "h3")], ["a"], [new NodeEntry("b", "h2:9000")], "e2", 2, T0.AddMinutes(1)));
        Assert.Equal(["b", "c"], s.Nodes.Keys.Order());
        Assert.Equal("h2:9000", s.Nodes["b"].Address);
        Assert.Equal(new NodeMapStatus("e2", T0.AddMinutes(1), 2, null, null), s.MapStatus);
    }

    [Fact]
    public void Rejected_map_keeps_the_nodes_and_records_the_error()
    {
        var s = Registered();
        s.Apply(new NodeMapRejected("bad json", T0.AddMinutes(1)));
        Assert.Equal(2, s.Nodes.Count);
        Assert.Equal("bad json", s.MapStatus.LastError);
        Assert.Equal("e1", s.MapStatus.ETag);
    }

    [Fact]
    public void Outcomes_apply_to_known_nodes_and_ignore_removed_ones()
    {
        var s = Registered();
        s.Apply(new DeliveryOutcomesRecorded([
            new DeliveryOutcome("a", NodeState.Delivered, "sha256:1", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null),
            new DeliveryOutcome("gone", NodeState.Delivered, "sha256:1", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null),
        ]));
        Assert.Equal(NodeState.Delivered, s.Nodes["a"].State);
        Assert.Equal(new NodeCounts(2, 1, 1, 0, 0), s.Counts());
    }

    [Fact]
    public void Secret_rotation_keeps_the_previous_secret_for_its_grace_period()
    {
        var s = Registered();
        s.Apply(new DeliverySecretRotated("new", "secret", T0.AddMinutes(10)));
        Assert.Equal(["new", "secret"], s.ValidSecrets(T0.AddMinutes(5)));
        Assert.Equal(["new"], s.ValidSecrets(T0.AddMinutes(11)));
    }

    [Fact]
    public void A_second_rotation_keeps_the_first_old_secret_for_its_whole_grace()
    {
        var s = Registered();
        s.Apply(new DeliverySecretRotated("s1", "secret", T0.AddMinutes(10)));
        s.Apply(new DeliverySecretRotated("s2", "s1", T0.AddMinutes(12)));
        Assert.Equal(["s2", "secret", "s1"], s.ValidSecrets(T0.AddMinutes(3)));
        Assert.Equal(["s2", "s1"], s.ValidSecrets(T0.AddMinutes(11)));
        s.Apply(new DeliverySecretRotated("s3", "s2", T0.AddMinutes(40))); // rotated at +30: both older graces are over
        Assert.Equal(["s3", "s2"], s.ValidSecrets(T0.AddMinutes(31)));
        Assert.Single(s.PreviousSecrets);
    }

    [Fact]
    public void Delete_clears_everything_and_the_name_can_be_registered_again()
    {
        var s = Registered();
        s.Apply(new ServiceDeleted(T0.AddMinutes(1)));
        Assert.False(s.IsRegistered);
        Assert.Empty(s.Nodes);
        s.Apply(new ServiceRegistered(Key, Spec, "other", T0.AddMinutes(2)));
        Assert.True(s.IsRegistered);
        Assert.Empty(s.Nodes);
        Assert.Equal(NodeMapStatus.Never, s.MapStatus);
    }

    [Fact]
    public void Snapshot_round_trips_the_whole_state()
    {
        var s = Registered();
        s.Apply(new DeliveryOutcomesRecorded([new DeliveryOutcome("a", NodeState.Retrying, "sha256:1", T0, T0, T0.AddHours(1), T0.AddSeconds(3), 2, "refused")]));
        s.Apply(new DeliverySecretRotated("new", "secret", T0.AddMinutes(10)));
        var copy = ServiceState.FromSnapshot(s.ToSnapshot());
        Assert.Equal(s.ToSnapshot().Nodes, copy.ToSnapshot().Nodes);
        Assert.Equal(s.ToSnapshot().PreviousSecrets, copy.ToSnapshot().PreviousSecrets);
        Assert.Equal(s.ToSnapshot() with { Nodes = [], PreviousSecrets = [] }, copy.ToSnapshot() with { Nodes = [], PreviousSecrets = [] });
    }
}
