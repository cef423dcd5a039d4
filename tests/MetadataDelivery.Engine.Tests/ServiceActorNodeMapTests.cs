using System.Threading.Channels;
using Akka.Actor;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Tests;

/// <summary>Node-map syncs of a ServiceActor whose partitions are stand-ins: partition 0 acknowledges its slices,
/// partition 1 never does (a partition that cannot start, say). The map source is in the test's hands.</summary>
public sealed class ServiceActorNodeMapTests() : ServiceActorTestClass("service-actor-node-map-tests")
{
    [Fact]
    public async Task A_changed_map_waits_for_the_distribution_under_way_then_supersedes_it_once_that_has_waited_a_minute()
    {
        var (service, source, slices, time, _) = Start();
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        var first = await SlicesOfOneGeneration(slices);
        Assert.Equal(4, first.Sum(s => s.Nodes)); // two partitions of two nodes; partition 1 stays silent

        source.Set("v2", Nodes(3)); // still two partitions
        time.Advance(TimeSpan.FromSeconds(10));
        await SyncAsync(service, source, reads: 2);
        Assert.False(slices.TryRead(out var early), $"a distribution of 10 s was superseded: {early}");

        time.Advance(TimeSpan.FromSeconds(51));
        await SyncAsync(service, source, reads: 3);
        var second = await SlicesOfOneGeneration(slices);
        Assert.True(second[0].Generation > first[0].Generation, "the new map came as a new generation");
        Assert.Equal(3, second.Sum(s => s.Nodes));
    }

    [Fact]
    public async Task A_map_changed_during_a_distribution_is_read_again_once_the_distribution_is_applied()
    {
        var (service, source, slices, _, partitions) = Start();
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        var first = await SlicesOfOneGeneration(slices);

        source.Set("v2", Nodes(3));
        await SyncAsync(service, source, reads: 2);
        Assert.False(slices.TryRead(out var early), $"superseded at once: {early}");

        partitions.Tell(new AcknowledgePartitionOne()); // the slow partition gets there

        var second = await SlicesOfOneGeneration(slices);
        Assert.True(second[0].Generation > first[0].Generation);
        Assert.Equal(3, second.Sum(s => s.Nodes));
        // the registration's read; the sync's, conditional on the map being distributed; the one after it was applied
        Assert.Equal([null, "v1", "v1"], source.ETagsAsked);
    }

    [Fact]
    public async Task The_same_map_read_again_while_it_is_being_distributed_is_not_distributed_again()
    {
        var (service, source, slices, time, _) = Start();
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        await SlicesOfOneGeneration(slices);

        time.Advance(TimeSpan.FromMinutes(5));
        await SyncAsync(service, source, reads: 2);

        Assert.False(slices.TryRead(out var again), $"distributed again: {again}");
        Assert.Equal("v1", source.ETagsAsked[1]); // conditional on the map being distributed, not on the (none) applied
    }

    [Fact]
    public async Task A_superseding_distribution_counts_the_partitions_the_superseded_one_added_as_new()
    {
        var (service, source, slices, time, partitions) = Start();
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        await SlicesOfOneGeneration(slices);
        partitions.Tell(new AcknowledgePartitionOne());
        await AppliedAsync(service, "v1"); // two partitions

        source.Set("v2", Nodes(8)); // grows to four partitions; partitions 1 to 3 stay silent
        await SyncAsync(service, source, reads: 2);
        var growing = await SlicesOfOneGeneration(slices, partitions: 4);
        Assert.All(growing, s => Assert.Equal(2, s.PreviousPartitions));

        source.Set("v3", Nodes(5));
        time.Advance(TimeSpan.FromSeconds(61));
        await SyncAsync(service, source, reads: 3);
        var superseding = await SlicesOfOneGeneration(slices, partitions: 4);
        Assert.True(superseding[0].Generation > growing[0].Generation);
        // Partitions 2 and 3 may never have taken v2's slices: their nodes wait for the hand-over like any new partition's,
        // instead of being counted as an old partition's and delivered again at once.
        Assert.All(superseding, s => Assert.Equal(2, s.PreviousPartitions));
    }

    [Fact]
    public async Task A_read_from_before_a_deletion_is_ignored_when_the_name_is_registered_again()
    {
        var (service, source, slices, _, _) = Start();
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        await SlicesOfOneGeneration(slices);

        source.Set("v-old", Nodes(6));
        source.HoldNextReads(2);
        Assert.IsType<SyncAccepted>(await service.Ask<object>(new SyncNodeMap(Key), Patience));
        await source.ReadsReached(2); // held, with the old registration's map
        Assert.IsType<ServiceDeletedReply>(await service.Ask<object>(new DeleteService(Key), Patience));
        source.Set("v-new", Nodes(3)); // its two slices cannot pass for the first two of the stale map's four (2 + 2 nodes)
        Assert.IsType<ServiceRegisteredReply>(await service.Ask<object>(new RegisterService(Key, Spec), Patience));
        await source.ReadsReached(3); // the new registration's read, held too

        source.ReleaseOldestHeldRead(); // the read from before the deletion answers first
        await Task.Delay(300);
        Assert.False(slices.TryRead(out var stale), $"the map read before the deletion was distributed: {stale}");

        source.ReleaseOldestHeldRead();
        var current = await SlicesOfOneGeneration(slices);
        Assert.Equal(3, current.Sum(s => s.Nodes));
        await Task.Delay(300);
        Assert.False(slices.TryRead(out var late), $"a slice arrived after the current map's: {late}");
    }

    private static async Task AppliedAsync(IActorRef service, string etag)
    {
        var until = DateTime.UtcNow + Patience;
        while ((await service.Ask<ServiceView>(new GetService(Key), Patience)).NodeMap.ETag != etag)
        {
            if (DateTime.UtcNow > until) Assert.Fail($"the map {etag} was not applied");
            await Task.Delay(20);
        }
    }

    /// <summary>Asks for a sync and waits until its read has been answered and handled.</summary>
    private static async Task SyncAsync(IActorRef service, SettableMapSource source, int reads)
    {
        Assert.IsType<SyncAccepted>(await service.Ask<object>(new SyncNodeMap(Key), Patience));
        await source.ReadsReached(reads);
        await Task.Delay(300);
    }

    private static List<NodeEntry> Nodes(int count) =>
        Enumerable.Range(0, count).Select(i => new NodeEntry($"node-{i}", $"10.0.0.{i + 1}")).ToList();

    /// <summary>A slice as a stand-in partition received it.</summary>
    private sealed record SliceSeen(int Partition, long Generation, int Nodes, int PreviousPartitions);

    /// <summary>The slices of the next distribution: one per partition (each map here fits in one chunk).</summary>
    private static async Task<List<SliceSeen>> SlicesOfOneGeneration(ChannelReader<SliceSeen> slices, int partitions = 2)
    {
        var got = new List<SliceSeen>();
        for (var i = 0; i < partitions; i++) got.Add(await slices.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.All(got, s => Assert.Equal(got[0].Generation, s.Generation));
        Assert.Equal(Enumerable.Range(0, partitions), got.Select(s => s.Partition).Order());
        return got;
    }

    private (IActorRef Service, SettableMapSource Source, ChannelReader<SliceSeen> Slices, SettableTime Time,
        IActorRef Partitions) Start()
    {
        var source = new SettableMapSource();
        source.Set("v1", Nodes(4));
        var slices = Channel.CreateUnbounded<SliceSeen>();
        var time = new SettableTime();
        var options = new MdsOptions();
        options.Delivery.NodesPerPartition = 2;
        options.NodeMaps.SyncInterval = TimeSpan.FromHours(1); // syncs come from the test
        var partitions = Sys.ActorOf(Props.Create(() => new StandInPartitions(slices.Writer)));
        var services = new DeliveryServices(() => ActorRefs.Nobody, () => partitions, options, null!, new NodeMapReader([source]), null!, null!,
            new NoEnvelopes(), new HeldCatalog(), new MdsMetrics(new PlainMeterFactory()), time, null!);
        return (Sys.ActorOf(ServiceActor.Props(Key.EntityId, services)), source, slices.Reader, time, partitions);
    }

    /// <summary>The service's clock: moved by the test (Akka's own timers are not on it).</summary>
    private sealed class SettableTime : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).UtcTicks;
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    }

    /// <summary>Serves the map it was last given, with its ETag, and "not modified" to a read conditional on that ETag.</summary>
    private sealed class SettableMapSource : INodeMapSource
    {
        private sealed record Map(string ETag, List<NodeEntry> Nodes);
        private volatile Map _map = new("", []);
        private int _reads;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _etagsAsked = new();

        public IReadOnlyList<string?> ETagsAsked => [.. _etagsAsked];

        public async Task ReadsReached(int count)
        {
            var until = DateTime.UtcNow + Patience;
            while (Volatile.Read(ref _reads) < count)
            {
                if (DateTime.UtcNow > until) Assert.Fail($"{_reads} reads of the map, waiting for {count}");
                await Task.Delay(20);
            }
        }

        public void Set(string etag, List<NodeEntry> nodes) => _map = new Map(etag, nodes);
        public bool CanRead(Uri location) => location.Scheme == "s3";

        private readonly Queue<TaskCompletionSource> _held = new();
        private int _toHold;

        /// <summary>The next reads answer (with the map as it was when they were asked) only when released, oldest first.</summary>
        public void HoldNextReads(int count) { lock (_held) _toHold = count; }

        public void ReleaseOldestHeldRead() { lock (_held) _held.Dequeue().SetResult(); }

        public async Task<NodeMapFetch> FetchAsync(Uri location, string? etag, CancellationToken ct)
        {
            var map = _map;
            _etagsAsked.Enqueue(etag);
            Task release = Task.CompletedTask;
            lock (_held)
            {
                if (_toHold > 0)
                {
                    _toHold--;
                    var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _held.Enqueue(held);
                    release = held.Task;
                }
            }
            Interlocked.Increment(ref _reads);
            await release;
            return etag == map.ETag
                ? new NodeMapFetch.NotModified()
                : new NodeMapFetch.Read(NodeMapParseResult.Ok(map.Nodes), map.ETag);
        }
    }

    private sealed record AcknowledgePartitionOne;

    /// <summary>Acknowledges every configuration; records every slice; acknowledges partition 0's slices at once and
    /// partition 1's last one only when told to.</summary>
    private sealed class StandInPartitions : ReceiveActor
    {
        public StandInPartitions(ChannelWriter<SliceSeen> slices)
        {
            (IActorRef Service, AssignNodeSlice Slice)? lastOfOne = null;
            Receive<ConfigurePartition>(c =>
                Sender.Tell(new PartitionConfigAcked(c.Partition.Service, c.Partition.Index, c.Version, new NodeCounts(0, 0, 0, 0, 0))));
            Receive<AssignNodeSlice>(s =>
            {
                slices.TryWrite(new SliceSeen(s.Partition.Index, s.Generation, s.Nodes.Count, s.PreviousPartitions));
                if (s.Partition.Index == 0) Sender.Tell(new NodeSliceAcked(s.Partition.Service, 0, s.Generation, new NodeCounts(0, 0, 0, 0, 0)));
                else lastOfOne = (Sender, s);
            });
            Receive<AcknowledgePartitionOne>(_ =>
            {
                if (lastOfOne is { } last)
                    last.Service.Tell(new NodeSliceAcked(last.Slice.Partition.Service, 1, last.Slice.Generation, new NodeCounts(0, 0, 0, 0, 0)));
            });
            ReceiveAny(_ => { });
        }
    }
}
