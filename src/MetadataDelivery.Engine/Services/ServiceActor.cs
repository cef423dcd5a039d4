using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Scheduling;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Services;

/// <summary>One sharded, persistent entity per (tenant, service). It owns the service's config, node set
/// and per-node delivery state; schedules renewals and retries earliest-deadline-first; runs one supervised
/// <see cref="Delivery.NodeDeliveryActor"/> per attempt in flight; journals outcomes in batches.</summary>
public sealed partial class ServiceActor : ReceivePersistentActor, IWithTimers
{
    private sealed record Tick { public static readonly Tick Instance = new(); }
    private sealed record FlushOutcomes { public static readonly FlushOutcomes Instance = new(); }
    private sealed record PublishCounts { public static readonly PublishCounts Instance = new(); }

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
        RegisterDeliveryHandlers();
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
        Command<PublishCounts>(_ => _services.Metrics.PublishNodeCounts(Key.EntityId, _state.Counts()));
        Command<StopServiceActor>(_ =>
        {
            // Hand-off or shutdown: journal the outcomes still batched, then stop.
            FlushOutcomesNow();
            DeferAsync(StopServiceActor.Instance, _ => Context.Stop(Self));
        });
    }

    public static Akka.Actor.Props Props(string entityId, DeliveryServices services) =>
        Akka.Actor.Props.Create(() => new ServiceActor(entityId, services));

    private void OnRecovered()
    {
        if (!_state.IsRegistered) return;
        _log.Info("service {0} recovered with {1} nodes", Key, _state.Nodes.Count);
        UpsertCatalog(replyTo: null, reply: null);
        StartRunning(firstSyncDelay: RandomDelay(_services.Options.NodeMaps.SyncInterval));
    }

    /// <summary>Arms everything a live service needs. Timers are not persisted, so this runs after every recovery.</summary>
    private void StartRunning(TimeSpan firstSyncDelay)
    {
        RebuildSchedules();
        Timers.StartPeriodicTimer("sync", SyncTimer.Instance, firstSyncDelay, _services.Options.NodeMaps.SyncInterval);
        Timers.StartPeriodicTimer("counts", PublishCounts.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        ArmTick();
    }

    private void StopRunning()
    {
        Timers.CancelAll();
        foreach (var flight in _inFlight.Values) { Context.Unwatch(flight.Child); Context.Stop(flight.Child); }
        _inFlight.Clear();
        _schedule.Clear();
        _ready.Clear();
        _expiries.Clear();
        _cachedItems.Clear();
        _pendingOutcomes.Clear();
        _waiters.Clear();
        _armedFor = null;
        _services.Metrics.ForgetService(Key.EntityId);
    }

    private void Persisted()
    {
        if (++_eventsSinceSnapshot < _services.Options.Delivery.SnapshotEveryEvents) return;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    /// <summary>Asks the shard to stop this entity with the hand-off message, which waits for pending writes
    /// (a PoisonPill could cut a Persist short).</summary>
    private void Passivate() => Context.Parent.Tell(new Passivate(StopServiceActor.Instance));

    private static TimeSpan RandomDelay(TimeSpan upTo) => TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * upTo.Ticks));

    protected override void PostStop()
    {
        _services.Metrics.ForgetService(Key.EntityId);
        base.PostStop();
    }
}
