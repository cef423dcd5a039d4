using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MetadataDelivery.Engine.Persistence;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Services;

/// <summary>One sharded, persistent entity per (tenant, service): the control plane of a service. It owns
/// the service's spec, delivery secrets and node-map sync; it splits the node map into node partitions
/// (<see cref="Partitions.NodePartitionActor"/>, sharded too, so a big service spreads over the members),
/// keeps them configured, routes node reads and forced deliveries to them, and sums their counts.</summary>
public sealed partial class ServiceActor : SnapshottingEntity, IWithTimers
{
    private readonly DeliveryServices _services;
    private ServiceState _state;

    public ITimerScheduler Timers { get; set; } = null!;
    public override string PersistenceId { get; }

    private ServiceKey Key => _state.Key;
    private DateTimeOffset Now => _services.Time.GetUtcNow();

    public ServiceActor(string entityId, DeliveryServices services) : base(services.Options.Delivery.SnapshotEveryEvents)
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
        RegisterStopHandlers();
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
        Log.Info("service {0} recovered ({1} nodes in {2} partitions)", Key, _state.MapStatus.NodeCount, _state.PartitionCount);
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
        _fetchInProgress = false;
        _reads++; // a read in flight now answers for a service that stopped
        _syncRequestedDuringFetch = false;
        _syncWhenApplied = false;
        FlushViewWaiters();
    }

    protected override object CurrentSnapshot() => _state.ToSnapshot();
}
