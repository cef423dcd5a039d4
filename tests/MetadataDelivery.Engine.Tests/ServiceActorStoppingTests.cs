using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Sharding;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Tests;

/// <summary>A ServiceActor under a stand-in shard that, like the real one, sends the stop message some time after
/// the entity asked to passivate, while messages already in the entity's mailbox are processed first. The test
/// decides when the stop arrives, which makes the window between a deletion's passivation and a new registration
/// of the same name deterministic.</summary>
public sealed class ServiceActorStoppingTests() : ServiceActorTestClass("service-actor-stopping-tests")
{
    [Fact]
    public async Task A_name_registered_again_while_its_passivation_is_pending_gets_its_reply_and_the_entity_is_woken()
    {
        var fixture = Start();
        await fixture.RegisterAndDeleteAsync(); // the entity has asked to passivate

        fixture.Catalog.Hold();
        var registeredAgain = fixture.Shard.Ask<object>(new RegisterService(Key, Spec), Patience);
        await fixture.Catalog.UpsertWaiting.WaitAsync(Patience); // journaled; its reply waits on the catalog row
        fixture.Shard.Tell(new DeliverStop(null)); // the shard gets round to the passivation only now

        await Task.Delay(300);
        Assert.False(fixture.ShardEvents.TryRead(out var early), $"the entity stopped before answering: {early}");

        fixture.Catalog.Release();
        Assert.IsType<ServiceRegisteredReply>(await registeredAgain.WaitAsync(Patience));
        Assert.Equal("entity terminated", await fixture.NextShardEvent());
        Assert.Equal(new WakeService(Key), await fixture.ToRegion.ReadAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task A_hand_off_stops_a_live_service_at_once_without_waking_it_where_it_was()
    {
        var fixture = Start();
        await fixture.RegisterAsync();

        fixture.Shard.Tell(new DeliverStop(StopServiceActor.Instance));

        Assert.Equal("entity terminated", await fixture.NextShardEvent());
        await Task.Delay(200); // a wake would have been told before the stop
        Assert.False(fixture.ToRegion.TryRead(out var woken), $"woken on hand-off: {woken}");
    }

    [Fact]
    public async Task A_deletion_cleaning_up_when_a_hand_off_stop_arrives_still_answers_before_the_entity_stops()
    {
        var fixture = Start();
        await fixture.RegisterAsync();

        fixture.Catalog.Hold();
        var deleted = fixture.Shard.Ask<object>(new DeleteService(Key), Patience);
        await fixture.Catalog.DeleteWaiting.WaitAsync(Patience);
        fixture.Shard.Tell(new DeliverStop(StopServiceActor.Instance));
        await Task.Delay(300);
        Assert.False(fixture.ShardEvents.TryRead(out var early), $"the entity stopped before answering: {early}");

        fixture.Catalog.Release();
        Assert.IsType<ServiceDeletedReply>(await deleted.WaitAsync(Patience));
        Assert.Equal("entity terminated", await fixture.NextShardEvent());
    }

    [Fact]
    public async Task An_entity_restarted_between_its_passivation_request_and_the_stop_still_wakes_a_name_registered_again()
    {
        var fixture = Start();
        await fixture.RegisterAndDeleteAsync(); // the entity has asked to passivate
        await fixture.RegisterAsync();

        fixture.Faults.FailNextPartitionsLookup();
        fixture.Shard.Tell(new GetNode(Key, "n1")); // throws: the shard restarts the entity, which recovers as registered
        for (var upsert = 0; upsert < 3; upsert++) await fixture.Catalog.UpsertWaiting.WaitAsync(Patience); // two registrations, one recovery

        fixture.Shard.Tell(new DeliverStop(null));
        Assert.Equal("entity terminated", await fixture.NextShardEvent());
        Assert.Equal(new WakeService(Key), await fixture.ToRegion.ReadAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task A_reply_pending_from_before_a_restart_is_answered_and_does_not_hold_the_stop_back()
    {
        var fixture = Start(partitionsAcknowledge: false); // the deleted service's partitions never confirm: no passivation
        await fixture.RegisterAsync();
        fixture.Catalog.Hold();
        var deleted = fixture.Shard.Ask<object>(new DeleteService(Key), Patience);
        await fixture.Catalog.DeleteWaiting.WaitAsync(Patience);

        fixture.Faults.FailNextPartitionsLookup();
        Assert.IsType<ServiceNotFound>(await fixture.Shard.Ask<object>(new GetService(Key), Patience)); // then throws, resending the retirement
        await Task.Delay(300); // the restarted entity recovers as deleted
        fixture.Catalog.Release();
        Assert.IsType<ServiceDeletedReply>(await deleted.WaitAsync(Patience)); // the cleanup of the instance before the restart

        fixture.Shard.Tell(new DeliverStop(StopServiceActor.Instance));
        Assert.Equal("entity terminated", await fixture.NextShardEvent());
    }

    [Fact]
    public async Task A_read_waiting_for_the_partitions_counts_is_answered_when_the_entity_stops()
    {
        var fixture = Start(partitionsAcknowledge: false); // no counts ever come: a read waits for them
        await fixture.RegisterAsync();
        var read = fixture.Shard.Ask<object>(new GetService(Key), Patience);

        fixture.Shard.Tell(new DeliverStop(StopServiceActor.Instance));

        Assert.IsType<ServiceView>(await read.WaitAsync(Patience));
        Assert.Equal("entity terminated", await fixture.NextShardEvent());
    }

    private sealed record Fixture(IActorRef Shard, ChannelReader<string> ShardEvents, ChannelReader<object> ToRegion, HeldCatalog Catalog, Faults Faults)
    {
        public Task<string> NextShardEvent() => ShardEvents.ReadAsync().AsTask().WaitAsync(Patience);

        public async Task RegisterAsync() =>
            Assert.IsType<ServiceRegisteredReply>(await Shard.Ask<object>(new RegisterService(Key, Spec), Patience));

        public async Task RegisterAndDeleteAsync()
        {
            await RegisterAsync();
            Assert.IsType<ServiceDeletedReply>(await Shard.Ask<object>(new DeleteService(Key), Patience));
            Assert.Equal("passivation requested", await NextShardEvent());
        }
    }

    private Fixture Start(bool partitionsAcknowledge = true)
    {
        var shardEvents = Channel.CreateUnbounded<string>();
        var toRegion = Channel.CreateUnbounded<object>();
        var catalog = new HeldCatalog();
        var faults = new Faults();
        var region = Sys.ActorOf(Props.Create(() => new Recorder(toRegion.Writer)));
        var partitions = Sys.ActorOf(Props.Create(() => new StandInPartitions(partitionsAcknowledge)));
        var options = new MdsOptions();
        var services = new DeliveryServices(() => region, () => faults.PartitionRegion(partitions), options, null!, new NodeMapReader([]), null!, null!,
            new NoEnvelopes(), catalog, new MdsMetrics(new PlainMeterFactory()), TimeProvider.System, null!);
        var shard = Sys.ActorOf(Props.Create(() => new StandInShard(ServiceActor.Props(Key.EntityId, services), shardEvents.Writer)));
        return new Fixture(shard, shardEvents.Reader, toRegion.Reader, catalog, faults);
    }

    /// <summary>Makes the entity throw once, the next time it looks up the partitions' region: the shard restarts it.</summary>
    private sealed class Faults
    {
        private int _failNext;
        public void FailNextPartitionsLookup() => Volatile.Write(ref _failNext, 1);
        public IActorRef PartitionRegion(IActorRef partitions) =>
            Interlocked.Exchange(ref _failNext, 0) == 1 ? throw new InvalidOperationException("injected fault") : partitions;
    }

    /// <summary>Tells the entity the stop message it asked for (or, for a hand-off, the one given).</summary>
    private sealed record DeliverStop(object? HandOffMessage);

    private sealed class StandInShard : ReceiveActor
    {
        private object? _requestedStop;

        public StandInShard(Props entityProps, ChannelWriter<string> events)
        {
            var entity = Context.Watch(Context.ActorOf(entityProps, "entity"));
            Receive<Passivate>(p =>
            {
                _requestedStop = p.StopMessage;
                events.TryWrite("passivation requested");
            });
            Receive<DeliverStop>(d => entity.Tell(d.HandOffMessage ?? _requestedStop!));
            Receive<Terminated>(_ => events.TryWrite("entity terminated"));
            ReceiveAny(m => entity.Forward(m));
        }
    }

    /// <summary>Every partition acknowledges every configuration at once, as a healthy cluster would (or, told not to, never).</summary>
    private sealed class StandInPartitions : ReceiveActor
    {
        public StandInPartitions(bool acknowledge)
        {
            Receive<ConfigurePartition>(c =>
            {
                if (acknowledge) Sender.Tell(new PartitionConfigAcked(c.Partition.Service, c.Partition.Index, c.Version, new NodeCounts(0, 0, 0, 0, 0)));
            });
            ReceiveAny(_ => { });
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ChannelWriter<object> seen) => ReceiveAny(m => seen.TryWrite(m));
    }
}
