using Akka.Actor;
using Akka.Configuration;
using MetadataDelivery.Domain;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Serialization;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Tests;

public sealed class SerializationTests : IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServiceKey Key = new("acme", "payments");
    private static readonly ServiceSpec Spec = new("payments", "s3://b/nodes.json",
        new MetadataSpec("http://issuer/{node}", TimeSpan.FromHours(1), 0.66, TimeSpan.FromMinutes(5)), new DeliverySpec("http", 7070, "/v1/metadata", 256));
    private static readonly PartitionKey Partition = new(Key, 1);
    private static readonly NodeCounts Counts = new(3, 1, 1, 1, 0);
    private static readonly NodeMapStatus MapStatus = new("etag", T, 3, "bad", T);
    private static readonly DeliveryOutcome Outcome = new("n1", NodeState.Retrying, "sha256:ab", T, T, T.AddHours(1), T.AddSeconds(2), 3, "refused");
    private static readonly NodeView Node = new("n1", "10.0.0.1:7070", NodeState.Delivered, "sha256:ab", T, T.AddHours(1), T.AddMinutes(40), 0, null);

    /// <summary>One sample of every type that has a manifest.</summary>
    public static readonly IReadOnlyList<IMdsSerializable> Samples =
    [
        new ServiceRegistered(Key, Spec, "secret", T),
        new ServiceSpecUpdated(Spec with { Metadata = Spec.Metadata with { RefreshInterval = null } }, T),
        new ServiceDeleted(T),
        new DeliverySecretRotated("new", "old", T.AddMinutes(10)),
        new NodeMapApplied(7, "etag", 2, 4, T),
        new NodeMapRejected("bad json at 3", T),
        new DeliveryOutcomesRecorded([Outcome, Outcome with { Node = "n2", State = NodeState.Delivered, LastError = null }]),
        new ServiceSnapshot(Key, Spec, "s", [new PreviousSecret("p", T)], T, MapStatus, 3, 7, 4, 8, 2),
        new NodeMapDistributionStarted(8, 4, T),
        new PartitionsRetired(3, T),
        new PartitionConfigured(3, Spec, "s", [new PreviousSecret("p", T)], T),
        new NodeSliceApplied(7, 4, [new NodeEntry("a", "h1")], ["b"], [new NodeEntry("c", "h3:9")], T),
        new PartitionSnapshot(Partition, 3, Spec, "s", [new PreviousSecret("p", T)], 7, 4,
            [new NodeSnapshot("n1", "h", T, NodeState.Expired, "sha256:ab", T, T, T, T, 4, "x")]),
        new ConfigurePartition(Partition, 3, Spec, "s", [new PreviousSecret("p", T)]),
        new AssignNodeSlice(Partition, 7, "d1", 4, 2, 0, 2, [new NodeEntry("a", "h1")]),
        new HandOverNodes(Partition, [new HandedOverNode("h1", Outcome)]),
        new GetPartitionNode(Partition, "n1"),
        new ListPartitionNodes(Partition, NodeState.Delivered, 100, "n0"),
        new ForcePartitionDelivery(Partition, "n1", true),
        new PartitionNodePulled(Partition, "n1", "sha256:ab", T, T),
        new NodePulled(Key, "n1", "sha256:ab", T, T),
        new PartitionConfigAcked(Key, 1, 3, Counts),
        new NodeSliceAcked(Key, 1, 7, Counts),
        new PartitionCountsChanged(Key, 1, Counts),
        new RegisterService(Key, Spec),
        new UpdateService(Key, Spec),
        new DeleteService(Key),
        new GetService(Key),
        new SyncNodeMap(Key),
        new RotateDeliverySecret(Key),
        new ListNodes(Key, NodeState.Retrying, 50, "n0"),
        new GetNode(Key, "n1"),
        new ForceDelivery(Key, "n1", true),
        new GetDeliverySecrets(Key),
        new ServiceView("acme", Spec, T, Counts, MapStatus),
        new ServiceRegisteredReply(new ServiceView("acme", Spec, T, Counts, MapStatus), "secret"),
        new ServiceAlreadyExists(Key),
        new ServiceNotFound(Key),
        new NodeNotFound(Key, "n9"),
        new ServiceDeletedReply(Key),
        new SyncAccepted(Key),
        new DeliverySecretReply("s"),
        new DeliverySecrets(["a", "b"]),
        Node,
        new NodeList([Node], "n1"),
        new DeliveryAccepted("d1"),
        new DeliveryAcked("d1", "sha256:ab", T),
        new ServiceBusy(Key, "rebalancing"),
        new LocatePartition(Partition),
        new LocatePartitions(Key),
        new WakeService(Key),
        new PartitionLocation(1, "akka.tcp://mds@127.0.0.1:4053", 5000),
        new PartitionPlacement(Key, [new PartitionLocation(1, "akka.tcp://mds@127.0.0.1:4053", 5000)]),
    ];

    private readonly ActorSystem _system = ActorSystem.Create("ser", ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.mds-json = "{{typeof(MdsJsonSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "{{typeof(IMdsSerializable).AssemblyQualifiedName}}" = mds-json }
          serialization-identifiers { "{{typeof(MdsJsonSerializer).AssemblyQualifiedName}}" = {{MdsJsonSerializer.Id}} }
        }
        """));

    [Fact]
    public void Every_manifest_has_a_sample_and_every_sample_a_manifest()
    {
        var sampled = Samples.Select(s => s.GetType()).ToHashSet();
        Assert.Equal(MdsManifests.All.Values.ToHashSet(), sampled);
        Assert.Equal(MdsManifests.All.Count, MdsManifests.All.Values.Distinct().Count());
    }

    public static TheoryData<string> SampleNames() => new(Samples.Select(s => s.GetType().Name));

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Round_trips_through_the_actor_systems_serializer(string typeName)
    {
        var sample = Samples.Single(s => s.GetType().Name == typeName);
        var serializer = _system.Serialization.FindSerializerFor(sample);
        Assert.IsType<MdsJsonSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
        Assert.InRange(manifest.Length, 1, 16);

        var bytes = serializer.ToBinary(sample);
        Assert.DoesNotContain("$type", System.Text.Encoding.UTF8.GetString(bytes));
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back)); // nothing lost or changed on the way
    }

    [Fact]
    public void Unknown_manifest_is_a_clear_error()
    {
        var serializer = (MdsJsonSerializer)_system.Serialization.FindSerializerForType(typeof(ServiceDeleted));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "nope"));
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
