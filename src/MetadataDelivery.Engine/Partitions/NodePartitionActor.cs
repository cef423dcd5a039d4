using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using MetadataDelivery.Engine.Persistence;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Scheduling;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Partitions;

/// <summary>One sharded, persistent entity per node partition of a service ("tenant/service#p"). It holds
/// the delivery state of the nodes its ServiceActor assigned to it; schedules renewals and retries
/// earliest-deadline-first; runs one supervised <see cref="Delivery.NodeDeliveryActor"/> per attempt in
/// flight; journals outcomes in batches. Partitions are sharded like services, so a big service's work
/// spreads over the members.</summary>
public sealed partial class NodePartitionActor : SnapshottingEntity, IWithTimers
{
    private sealed record Tick { public static readonly Tick Instance = new(); }
    private sealed record FlushOutcomes { public static readonly FlushOutcomes Instance = new(); }
    private sealed record ReportCounts { public static readonly ReportCounts Instance = new(); }

    private static readonly TimeSpan CountsReportInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetiredIdleTime = TimeSpan.FromSeconds(5);

    private readonly DeliveryServices _services;
    private PartitionState _state;
    private NodeCounts? _reportedCounts;
    private bool _passivating;
    private IActorRef? _service; // the ServiceActor that last configured or assigned this partition

    public ITimerScheduler Timers { get; set; } = null!;
    public override string PersistenceId { get; }

    private ServiceKey Key => _state.Key.Service;
    private DateTimeOffset Now => _services.Time.GetUtcNow();

    public NodePartitionActor(string entityId, DeliveryServices services) : base(services.Options.Delivery.SnapshotEveryEvents)
    {
        _services = services;
        _state = new PartitionState(PartitionKey.ParseEntityId(entityId));
        var now = Now;
        _schedule = new DeliverySchedule(now);
        _ready = new DeliverySchedule(now);
        _expiries = new DeliverySchedule(now);
        PersistenceId = "partition-" + entityId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is PartitionSnapshot s) _state = PartitionState.FromSnapshot(s);
        });
        Recover<IPartitionEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        RegisterConfigurationHandlers();
        RegisterSliceHandlers();
        RegisterDeliveryHandlers();
        RegisterQueryHandlers();

        Command<ReportCounts>(_ => ReportCountsIfChanged());
        Command<ReceiveTimeout>(_ =>
        {
            Context.SetReceiveTimeout(null);
            if (_state.IsRetired) Passivate();
        });
        Command<StopServiceActor>(_ =>
        {
            // Hand-off or shutdown: journal the outcomes still batched, then stop.
            FlushOutcomesNow();
            DeferAsync(StopServiceActor.Instance, _ => Context.Stop(Self));
        });
    }

    public static Props Props(string entityId, DeliveryServices services) =>
        Akka.Actor.Props.Create(() => new NodePartitionActor(entityId, services));

    private void OnRecovered()
    {
        // A retired partition woken by a message stops once idle. Not at once: the waking message may be the
        // configuration of the name registered again, which brings it back.
        if (_state.IsRetired) { Context.SetReceiveTimeout(RetiredIdleTime); return; }
        if (!_state.IsActive) return;
        Log.Info("partition {0} recovered with {1} nodes", _state.Key, _state.Nodes.Count);
        StartRunning();
    }

    /// <summary>Arms everything a live partition needs. Timers are not persisted, so this runs after every recovery.</summary>
    private void StartRunning()
    {
        RebuildSchedules();
        ArmTick();
        CountsMayHaveChanged();
    }

    private void StopRunning()
    {
        Timers.CancelAll();
        foreach (var flight in _inFlight.Values) Context.Stop(flight.Child);
        _inFlight.Clear();
        foreach (var worker in _idleWorkers.TakeAll()) Context.Stop(worker);
        _schedule.Clear();
        _ready.Clear();
        _expiries.Clear();
        _cachedItems.Clear();
        _pendingOutcomes.Clear();
        _waiters.Clear();
        _armedFor = null;
        _services.Metrics.ForgetPartition(_state.Key);
    }

    protected override object CurrentSnapshot() => _state.ToSnapshot();

    /// <summary>Reports this partition's counts to its ServiceActor (and this member's metrics) at most once a second.</summary>
    private void CountsMayHaveChanged()
    {
        if (!Timers.IsTimerActive("counts")) Timers.StartSingleTimer("counts", ReportCounts.Instance, CountsReportInterval);
    }

    private void ReportCountsIfChanged()
    {
        if (!_state.IsActive) return;
        var counts = _state.Counts();
        _services.Metrics.PublishNodeCounts(_state.Key, counts, NodeStateBytes());
        if (counts == _reportedCounts) return;
        _reportedCounts = counts;
        // Straight to the ServiceActor when known, the same way as the acknowledgements (which also carry counts),
        // so a report cannot overtake a newer acknowledgement; through the region otherwise.
        (_service ?? _services.ServiceRegion()).Tell(new PartitionCountsChanged(Key, _state.Key.Index, counts));
    }

    private long NodeStateBytes() =>
        _state.Nodes.AllocatedBytes + _schedule.AllocatedBytes + _ready.AllocatedBytes + _expiries.AllocatedBytes;

    private void RememberService(IActorRef sender)
    {
        if (!sender.IsNobody() && !Equals(sender, Context.System.DeadLetters)) _service = sender;
    }

    /// <summary>Asks the shard to stop this entity with the hand-off message, which waits for pending writes. From
    /// then on configuration and slices are ignored: an acknowledgement now would be forgotten with the entity.</summary>
    private void Passivate()
    {
        _passivating = true;
        Context.Parent.Tell(new Passivate(StopServiceActor.Instance));
    }


    protected override void PostStop()
    {
        _services.Metrics.ForgetPartition(_state.Key);
        base.PostStop();
    }
}
