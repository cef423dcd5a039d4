using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Services;

/// <summary>One sharded, persistent entity per (tenant, service): the control plane of a service. It owns
/// the service's spec, delivery secrets and node-map sync; it splits the node map into node partitions
/// (<see cref="Partitions.NodePartitionActor"/>, sharded too, so a big service spreads over the members),
/// keeps them configured, routes node reads and forced deliveries to them, and sums their counts.</summary>
public sealed partial class ServiceActor : ReceivePersistentActor, IWithTimers
{
    private readonly DeliveryServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ServiceState _state;
    private int _eventsSinceSnapshot;

    public ITimerScheduler Timers { get; set; } = null!;
    public override string PersistenceId { get; }

    private ServiceKey Key => _state.Key;
    private DateTimeOffset Now => _services.Time.GetUtcNow();

    public ServiceActor(string entityId, DeliveryServices services)
    {
        _services = services;
        _state = new ServiceState(ServiceKey.ParseEntityId(entityId));
        PersistenceId = "service-" + entityId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ServiceSnapshot s) _state = ServiceState.FromSnapshot(s);
        });
        Recover<IServiceEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        RegisterCommandHandlers();
        RegisterPartitionHandlers();
        RegisterNodeMapHandlers();

        Command<SaveSnapshotSuccess>(ok =>
        {
            DeleteMessages(ok.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "snapshot of {0} failed", Key));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "journal cleanup of {0} failed", Key));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "snapshot cleanup of {0} failed", Key));
        Command<StopServiceActor>(_ => Context.Stop(Self));
    }

    public static Akka.Actor.Props Props(string entityId, DeliveryServices services) =>
        Akka.Actor.Props.Create(() => new ServiceActor(entityId, services));

    private void OnRecovered()
    {
        if (!_state.IsRegistered)
        {
            // Deleted: make sure every partition heard it (the retirement may not have reached them all);
            // once journaled as retired, a recovery (a read of the deleted name) leaves the partitions alone.
            if (_state.PartitionCount > 0 && !_state.IsFullyRetired) PassivateOnceRetired();
            return;
        }
        _log.Info("service {0} recovered ({1} nodes in {2} partitions)", Key, _state.MapStatus.NodeCount, _state.PartitionCount);
        UpsertCatalog(replyTo: null, reply: null);
        StartRunning(firstSyncDelay: RandomDelay(_services.Options.NodeMaps.SyncInterval));
    }

    /// <summary>Arms everything a live service needs. Timers are not persisted, so this runs after every recovery.</summary>
    private void StartRunning(TimeSpan firstSyncDelay)
    {
        SendConfiguration(); // also wakes partitions, which report their counts with the acknowledgement
        Timers.StartPeriodicTimer("sync", SyncTimer.Instance, firstSyncDelay, _services.Options.NodeMaps.SyncInterval);
    }

    private void StopRunning()
    {
        Timers.CancelAll();
        _distribution = null;
        _syncInProgress = false;
        _syncRequestedDuringFetch = false;
        FlushViewWaiters();
    }

    private void Persisted()
    {
        if (++_eventsSinceSnapshot < _services.Options.Delivery.SnapshotEveryEvents) return;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    /// <summary>Asks the shard to stop this entity with the hand-off message.</summary>
    private void Passivate() => Context.Parent.Tell(new Passivate(StopServiceActor.Instance));

    private static TimeSpan RandomDelay(TimeSpan upTo) => TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * upTo.Ticks));
}
