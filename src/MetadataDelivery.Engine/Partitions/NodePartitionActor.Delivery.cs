using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Scheduling;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Partitions;

// Scheduling and running deliveries. Attempts become *due* in time order (_schedule); due attempts wait
// in _ready ordered by their node's deadline, so when maxConcurrency is the bottleneck the node closest
// to expiry goes first (earliest deadline first). The schedules key on the node's slot in the NodeTable
// (stable while the node stays; unscheduled before it leaves); the in-flight bookkeeping keys on its id.
public sealed partial class NodePartitionActor
{
    private sealed record InFlight(string DeliveryId, IActorRef Child, bool RefreshOnly);
    private sealed record Waiter(IActorRef ReplyTo, DateTimeOffset GiveUpAt);

    private static readonly TimeSpan MaxWaiterAge = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SlotRecheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IdleWorkerLinger = TimeSpan.FromSeconds(1);

    // Made in the constructor from the actor's clock (the schedules' epoch is their creation time).
    private readonly DeliverySchedule _schedule;   // when each node's next attempt / renewal / refresh is due
    private readonly DeliverySchedule _ready;      // due attempts, keyed by the node's deadline
    private readonly DeliverySchedule _expiries;   // when to check each node for expiry (at or before its deadline)
    private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetadataItem> _cachedItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Waiter>> _waiters = new(StringComparer.Ordinal);
    private readonly List<DeliveryOutcome> _pendingOutcomes = [];
    private readonly IdleWorkers<IActorRef> _idleWorkers = new(IdleWorkerLinger);
    private long _workersStarted; // names the workers: a child's name must stay unique while it lives
    private DateTimeOffset? _armedFor;
    private DateTimeOffset? _slotWaitDeadline; // while registered with the member's attempt budget: the deadline it registered with

    private TimeSpan Ttl => _state.Spec!.Metadata.Ttl;
    private BackoffPolicy Backoff => BackoffPolicy.ForLifetime(Ttl);

    private void RegisterDeliveryHandlers()
    {
        Command<Tick>(_ => { _armedFor = null; RunDue(); });
        Command<DeliveryAttemptFinished>(OnAttemptFinished);
        Command<FlushOutcomes>(_ => FlushOutcomesNow());
        Command<PartitionNodePulled>(OnNodePulled);
        Command<AttemptSlotFreed>(_ =>
        {
            _slotWaitDeadline = null;
            RunDue();
            _services.AttemptBudget.WakeNextIfFree(); // a slot this partition did not use goes on to the next waiter
        });
    }

    /// <summary>Supervision of delivery workers: an unexpected exception stops the worker, which reports its attempt
    /// as failed from its PostStop (no death watch: that cost two system messages per attempt); it is retried like
    /// any other.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);

    private void RebuildSchedules()
    {
        var now = Now;
        var refresh = _state.Spec!.Metadata.RefreshInterval;
        _schedule.Clear();
        _ready.Clear();
        _expiries.Clear();
        ReserveScheduleSlots();
        var nodes = _state.Nodes;
        foreach (var slot in nodes.Slots)
        {
            var rec = nodes[slot];
            if (rec.State != NodeState.Expired) _expiries.Set(slot, rec.Deadline(Ttl)); // in flight or not: the attempt may fail
            if (_inFlight.Count > 0 && _inFlight.ContainsKey(nodes.IdOf(slot))) continue;
            var due = rec.NextAttemptAt ?? now;
            if (refresh is { } r && rec.State == NodeState.Delivered) due = Min(due, now + RandomDelay(r));
            _schedule.Set(slot, due);
        }
    }

    /// <summary>Sizes the schedules' per-slot entries to the node table's slots, as the table sizes its own pages
    /// (<c>NodeTable.Reserve</c>).</summary>
    private void ReserveScheduleSlots()
    {
        var slots = _state.Nodes.SlotCount;
        _schedule.Reserve(slots);
        _ready.Reserve(slots);
        _expiries.Reserve(slots);
    }

    /// <summary>Drops the pending attempt of a node (an attempt supersedes it).</summary>
    private void Unschedule(int slot)
    {
        _schedule.Remove(slot);
        _ready.Remove(slot);
    }

    /// <summary>Drops every scheduled trace of a node that is about to leave the table (its slot will be reused).</summary>
    private void ForgetSchedules(int slot)
    {
        Unschedule(slot);
        _expiries.Remove(slot);
    }

    /// <summary>Makes sure the node is checked for expiry no later than its deadline. A check already due earlier
    /// stays (when it comes, the node's current deadline is looked at again), so renewals add no entries.</summary>
    private void CheckExpiryBy(int slot, DateTimeOffset deadline)
    {
        if (!_expiries.TryGetDue(slot, out var due) || due > deadline) _expiries.Set(slot, deadline);
    }

    private void RunDue()
    {
        if (!_state.IsActive) return;
        var now = Now;
        var nodes = _state.Nodes;
        foreach (var slot in _expiries.TakeDue(now, int.MaxValue))
        {
            if (!nodes.IsLive(slot) || nodes[slot].State == NodeState.Expired) continue;
            if (!DeliveryDecisions.HasJustExpired(nodes[slot], now, Ttl)) { _expiries.Set(slot, nodes[slot].Deadline(Ttl)); continue; } // renewed since
            var node = nodes.IdOf(slot);
            Record(DeliveryDecisions.MarkExpired(node, nodes[slot], now));
            RaiseExpiredAlarm(node, nodes[slot]);
        }
        foreach (var slot in _schedule.TakeDue(now, int.MaxValue))
            if (nodes.IsLive(slot)) _ready.Set(slot, nodes[slot].Deadline(Ttl));
        StartReady(now);
        foreach (var worker in _idleWorkers.TakeExpired(now)) Context.Stop(worker);
        ArmTick();
    }

    /// <summary>Starts the most urgent ready attempts, as many as both this partition's share of maxConcurrency and
    /// the member's attempt budget allow; if the budget is what stops it, asks to be told when a slot frees.</summary>
    private void StartReady(DateTimeOffset now)
    {
        var wanted = Math.Min(_state.MaxConcurrency - _inFlight.Count, _ready.Count);
        if (wanted <= 0) return;
        var budget = _services.AttemptBudget;
        var granted = budget.TryTake(wanted);
        try
        {
            if (granted > 0)
                foreach (var slot in _ready.TakeDue(DateTimeOffset.MaxValue, granted))
                    if (StartAttempt(slot, now)) granted--;
        }
        finally
        {
            for (; granted > 0; granted--) budget.Release(); // taken for entries that needed no attempt (or a spawn that threw)
        }
        // _ready is keyed by deadline: a node more urgent than the one this partition registered with moves it up.
        if (_ready.Count > 0 && _inFlight.Count < _state.MaxConcurrency && _ready.NextDue is { } mostUrgent
            && (_slotWaitDeadline is not { } registered || mostUrgent < registered))
        {
            budget.NotifyWhenFree(Self, mostUrgent, alreadyWaiting: _slotWaitDeadline is not null);
            _slotWaitDeadline = mostUrgent;
        }
    }

    /// <summary>Hands the attempt to an idle worker, or a new one, which gives back the budget slot taken for it (a forced
    /// attempt takes one even beyond the budget). False, with no slot used, when the node needs no attempt (gone, or one
    /// in flight).</summary>
    private bool StartAttempt(int slot, DateTimeOffset now, string? forcedId = null)
    {
        if (!_state.Nodes.IsLive(slot)) return false;
        var node = _state.Nodes.IdOf(slot);
        if (_inFlight.ContainsKey(node)) return false;
        var rec = _state.Nodes[slot];
        var forced = forcedId is not null;
        var deliveryId = forcedId ?? NewDeliveryId();
        var renewalDue = rec.State != NodeState.Delivered || rec.NextAttemptAt is null || rec.NextAttemptAt <= now;
        var refreshOnly = !forced && !renewalDue && _state.Spec!.Metadata.RefreshInterval is not null;
        var cached = !forced && _cachedItems.TryGetValue(node, out var item) && item.ExpiresAt - now > item.Lifetime / 2 ? item : null;
        var job = new DeliveryJob(Key, _state.Spec!, _state.ValidSecrets(now).ToList(), deliveryId, node, _state.Nodes.AddressOf(slot), cached,
            refreshOnly ? rec.Version : null);
        if (forced) _services.AttemptBudget.TakeBeyondLimit();
        if (!_idleWorkers.TryTake(out var worker)) worker = Context.ActorOf(NodeDeliveryActor.Props(_services), "w-" + ++_workersStarted);
        worker.Tell(job);
        _inFlight[node] = new InFlight(deliveryId, worker, refreshOnly);
        return true;
    }

    private void OnAttemptFinished(DeliveryAttemptFinished done)
    {
        if (!_inFlight.TryGetValue(done.Node, out var flight) || flight.DeliveryId != done.DeliveryId) return; // stale: its worker was stopped
        _inFlight.Remove(done.Node);
        if (done.WorkerIdle) _idleWorkers.Add(flight.Child, Now);
        if (!_state.IsActive || !_state.Nodes.TryGetSlot(done.Node, out var slot)) { RunDue(); return; }
        var rec = _state.Nodes[slot]; // as it was before this outcome

        var now = Now;
        var refresh = _state.Spec!.Metadata.RefreshInterval;
        switch (done.Result)
        {
            case AttemptResult.Acked:
                var acked = DeliveryDecisions.Acked(done.Node, done.Item!, now, _state.Spec.Metadata.RenewAt, Random.Shared);
                var wasExpired = rec.State == NodeState.Expired;
                Record(acked);
                _cachedItems.Remove(done.Node);
                _services.Metrics.Acked(done.Elapsed);
                _schedule.Set(slot, refresh is { } r ? Min(acked.NextAttemptAt!.Value, now + r) : acked.NextAttemptAt!.Value);
                CheckExpiryBy(slot, acked.ExpiresAt!.Value);
                if (wasExpired) Log.Info("node {0} of {1} is delivered again after expiring", done.Node, Key);
                ReplyToWaiters(done.Node, new DeliveryAcked(done.DeliveryId, acked.Version!, now));
                break;
            case AttemptResult.Unchanged:
                _services.Metrics.Unchanged();
                _schedule.Set(slot, Min(rec.NextAttemptAt ?? now, now + (refresh ?? Ttl)));
                break;
            case AttemptResult.Failed when flight.RefreshOnly && rec.State == NodeState.Delivered && rec.NextAttemptAt > now:
                // A failed refresh check says nothing about the node: it still holds valid metadata. Check again
                // later (never after the renewal), without counting an attempt or leaving 'delivered'.
                var retryRefresh = Backoff.NextAttempt(now, 1, rec.NextAttemptAt, Random.Shared);
                _schedule.Set(slot, retryRefresh);
                Log.Debug("refresh check of {0} of {1} failed: {2}", done.Node, Key, done.Error);
                break;
            default:
                var failed = DeliveryDecisions.Failed(done.Node, rec, done.Error ?? "unknown error", now, Ttl, Backoff, Random.Shared);
                var alarm = failed.State == NodeState.Expired && rec.State != NodeState.Expired;
                Record(failed);
                if (done.Item is not null) _cachedItems[done.Node] = done.Item;
                _services.Metrics.Failed();
                _schedule.Set(slot, failed.NextAttemptAt!.Value);
                if (alarm) RaiseExpiredAlarm(done.Node, _state.Nodes[slot]);
                Log.Debug("delivery to {0} of {1} failed (attempt {2}): {3}", done.Node, Key, failed.Attempts, done.Error);
                break;
        }
        RunDue();
    }

    /// <summary>The node acknowledged an item it pulled itself: that is its delivery, and the renewal is scheduled. An
    /// attempt in flight is abandoned (a node that can reach the API but not be pushed to would otherwise wait for
    /// it to time out and stay 'retrying'); its late report is stale. A forced attempt that someone waits for is kept.</summary>
    private void OnNodePulled(PartitionNodePulled pulled)
    {
        if (!_state.IsActive || !_state.Nodes.TryGetSlot(pulled.Node, out var slot)) return;
        var now = Now;
        var rec = _state.Nodes[slot];
        if (DeliveryDecisions.Pulled(pulled.Node, rec, pulled.Version, pulled.IssuedAt, pulled.ExpiresAt, now,
                _state.Spec!.Metadata.RenewAt, Random.Shared) is not { } delivered) return;
        // A forced delivery someone waits for keeps running: it was asked for a fresh item, not the one pulled.
        if (!_waiters.ContainsKey(pulled.Node) && _inFlight.Remove(pulled.Node, out var running)) Context.Stop(running.Child);
        Record(delivered);
        _cachedItems.Remove(pulled.Node);
        Unschedule(slot);
        var refresh = _state.Spec.Metadata.RefreshInterval;
        _schedule.Set(slot, refresh is { } r ? Min(delivered.NextAttemptAt!.Value, now + r) : delivered.NextAttemptAt!.Value);
        CheckExpiryBy(slot, delivered.ExpiresAt!.Value);
        Log.Info("node {0} of {1} pulled {2} itself: counted as delivered (was {3})", pulled.Node, Key, pulled.Version, rec.State);
        RunDue(); // an abandoned attempt freed a place
    }

    /// <summary>A forced delivery: fresh fetch, backoff reset, started now (even beyond maxConcurrency,
    /// since an operator asked for it). An attempt already running is abandoned; its late report is stale.</summary>
    private string Force(int slot)
    {
        var now = Now;
        var node = _state.Nodes.IdOf(slot);
        var deliveryId = NewDeliveryId();
        if (_inFlight.Remove(node, out var running)) Context.Stop(running.Child); // its last report is stale
        Record(DeliveryDecisions.ResetForForce(node, _state.Nodes[slot], now));
        _cachedItems.Remove(node);
        Unschedule(slot);
        StartAttempt(slot, now, deliveryId);
        ArmTick();
        return deliveryId;
    }

    private void AddWaiter(string node, IActorRef replyTo)
    {
        var now = Now;
        if (!_waiters.TryGetValue(node, out var list)) _waiters[node] = list = [];
        list.RemoveAll(w => w.GiveUpAt <= now); // their asks have timed out long ago
        list.Add(new Waiter(replyTo, now + MaxWaiterAge));
    }

    private void ReplyToWaiters(string node, object reply)
    {
        if (!_waiters.Remove(node, out var list)) return;
        foreach (var w in list) w.ReplyTo.Tell(reply);
    }

    private const int AlarmsLoggedPerMinute = 20;
    private DateTimeOffset _alarmWindowStart;
    private int _alarmsInWindow;
    private int _alarmsSuppressed;

    /// <summary>Every expiry counts in the metric; the log gets each of the first 20 per minute and then a
    /// summary, so a mass outage cannot flood the log (or slow the member down by logging).</summary>
    private void RaiseExpiredAlarm(string node, in NodeRecord rec)
    {
        _services.Metrics.ExpiredAlarm();
        var now = Now;
        if (now - _alarmWindowStart >= TimeSpan.FromMinutes(1))
        {
            if (_alarmsSuppressed > 0)
                Log.Error("ALARM: {0} more nodes of service {1} expired undelivered in the last minute (not logged one by one)", _alarmsSuppressed, Key);
            _alarmWindowStart = now;
            _alarmsInWindow = 0;
            _alarmsSuppressed = 0;
        }
        if (++_alarmsInWindow > AlarmsLoggedPerMinute) { _alarmsSuppressed++; return; }
        Log.Error("ALARM: node {0} of service {1} has no valid metadata: its item expired at {2:O} undelivered (attempts {3}, last error: {4})",
            node, Key, rec.Deadline(Ttl), rec.Attempts, rec.LastError ?? "none");
    }

    /// <summary>Applies an outcome now and journals it with the next batch.</summary>
    private void Record(DeliveryOutcome outcome)
    {
        _state.Nodes.Apply(outcome);
        CountsMayHaveChanged();
        _pendingOutcomes.Add(outcome);
        if (_pendingOutcomes.Count >= _services.Options.Delivery.OutcomeBatchSize) FlushOutcomesNow();
        else if (!Timers.IsTimerActive("flush"))
            Timers.StartSingleTimer("flush", FlushOutcomes.Instance, _services.Options.Delivery.OutcomeFlushInterval);
    }

    private void FlushOutcomesNow()
    {
        if (_pendingOutcomes.Count == 0) return;
        var batch = new DeliveryOutcomesRecorded(_pendingOutcomes.ToArray());
        _pendingOutcomes.Clear();
        Timers.Cancel("flush");
        PersistAsync(batch, _ => Persisted());
    }

    /// <summary>One timer for the earliest thing due: an expiry check, or an attempt when there is room to run one.</summary>
    private void ArmTick()
    {
        DateTimeOffset? next = _expiries.NextDue;
        if (_idleWorkers.NextExpiry is { } letGo && (next is null || letGo < next)) next = letGo;
        if (_inFlight.Count < _state.MaxConcurrency)
        {
            // Waiting for the budget: AttemptSlotFreed wakes the partition; the tick only guards against a wake-up lost
            // to a waiter that stopped meanwhile. Due entries stay in _schedule until then (RunDue moves them all).
            if (_slotWaitDeadline is not null) next = Min(next ?? DateTimeOffset.MaxValue, Now + SlotRecheckInterval);
            else if (_ready.Count > 0) next = Now;
            else if (_schedule.NextDue is { } due && (next is null || due < next)) next = due;
        }
        if (next is null) { Timers.Cancel("tick"); _armedFor = null; return; }
        if (_armedFor is { } armed && armed <= next && Timers.IsTimerActive("tick")) return;
        var delay = next.Value - Now;
        Timers.StartSingleTimer("tick", Tick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        _armedFor = next;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string NewDeliveryId() => DeliveryIds.New();
}
