using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
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
        s.Apply(new NodeMapApplied(1, "e1", 2, 1, T0));
        return s;
    }

    [Fact]
    public void An_applied_node_map_sets_the_status_generation_and_partition_count()
    {
        var s = Registered();
        s.Apply(new NodeMapApplied(2, "e2", 50_000, 4, T0.AddMinutes(1)));
        Assert.Equal(new NodeMapStatus("e2", T0.AddMinutes(1), 50_000, null, null), s.MapStatus);
        Assert.Equal(2, s.MapGeneration);
        Assert.Equal(4, s.PartitionCount);
    }

    [Fact]
    public void A_started_distribution_takes_a_fresh_generation_and_counts_the_partitions_it_reaches()
    {
        var s = Registered();
        s.Apply(new NodeMapDistributionStarted(2, 8, T0));
        Assert.Equal(8, s.PartitionCount); // a deletion now retires all eight, even if this map never completes
        Assert.Equal(2, s.DistributionGeneration);
        Assert.Equal(1, s.MapGeneration);   // not applied yet
        s.Apply(new NodeMapDistributionStarted(3, 8, T0)); // interrupted and restarted: never the same number twice
        s.Apply(new NodeMapApplied(3, "e3", 100, 8, T0));
        Assert.Equal(3, s.MapGeneration);
        Assert.Equal(3, s.DistributionGeneration);
    }

    [Fact]
    public void A_deleted_service_is_fully_retired_once_its_partitions_acknowledged()
    {
        var s = Registered();
        s.Apply(new ServiceDeleted(T0));
        Assert.False(s.IsFullyRetired);
        s.Apply(new PartitionsRetired(s.ConfigVersion, T0));
        Assert.True(s.IsFullyRetired);
        s.Apply(new ServiceRegistered(Key, Spec, "again", T0));
        Assert.False(s.IsFullyRetired);
        Assert.True(new ServiceState(Key).IsFullyRetired); // never registered: nothing to retire
    }

    [Fact]
    public void The_partition_count_never_shrinks()
    {
        var s = Registered();
        s.Apply(new NodeMapApplied(2, "e2", 50_000, 4, T0));
        s.Apply(new NodeMapApplied(3, "e3", 10, 1, T0));
        Assert.Equal(4, s.PartitionCount);
    }

    [Fact]
    public void Rejected_map_keeps_the_last_good_one_and_records_the_error()
    {
        var s = Registered();
        s.Apply(new NodeMapRejected("bad json", T0.AddMinutes(1)));
        Assert.Equal(2, s.MapStatus.NodeCount);
        Assert.Equal("bad json", s.MapStatus.LastError);
        Assert.Equal("e1", s.MapStatus.ETag);
    }

    [Fact]
    public void Every_change_partitions_must_follow_raises_the_config_version()
    {
        var s = Registered();
        var v = s.ConfigVersion;
        s.Apply(new ServiceSpecUpdated(Spec, T0));
        s.Apply(new DeliverySecretRotated("new", "secret", T0.AddMinutes(10)));
        s.Apply(new NodeMapApplied(2, "e2", 2, 1, T0)); // not a configuration change
        s.Apply(new ServiceDeleted(T0));
        Assert.Equal(v + 3, s.ConfigVersion);
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
    public void Delete_clears_everything_but_the_versions_and_the_name_can_be_registered_again()
    {
        var s = Registered();
        s.Apply(new NodeMapApplied(2, "e2", 50_000, 4, T0));
        s.Apply(new ServiceDeleted(T0.AddMinutes(1)));
        Assert.False(s.IsRegistered);
        Assert.Empty(s.ValidSecrets(T0));
        var version = s.ConfigVersion;
        s.Apply(new ServiceRegistered(Key, Spec, "other", T0.AddMinutes(2)));
        Assert.True(s.IsRegistered);
        Assert.Equal(NodeMapStatus.Never, s.MapStatus);
        // Partitions of the deleted incarnation must see the new one as newer, and still be retired or reused.
        Assert.True(s.ConfigVersion > version);
        Assert.Equal(2, s.MapGeneration);
        Assert.Equal(4, s.PartitionCount);
    }

    [Fact]
    public void Snapshot_round_trips_the_whole_state()
    {
        var s = Registered();
        s.Apply(new DeliverySecretRotated("new", "secret", T0.AddMinutes(10)));
        s.Apply(new NodeMapDistributionStarted(5, 2, T0));
        s.Apply(new ServiceDeleted(T0));
        s.Apply(new PartitionsRetired(s.ConfigVersion, T0));
        var copy = ServiceState.FromSnapshot(s.ToSnapshot());
        Assert.Equal(s.ToSnapshot().PreviousSecrets, copy.ToSnapshot().PreviousSecrets);
        Assert.Equal(s.ToSnapshot() with { PreviousSecrets = [] }, copy.ToSnapshot() with { PreviousSecrets = [] });
    }
}
