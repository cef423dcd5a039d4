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
// to expiry goes first (earliest deadline first).
public sealed partial class NodePartitionActor
{
    private sealed record InFlight(string DeliveryId, IActorRef Child, bool RefreshOnly);
    private sealed record Waiter(IActorRef ReplyTo, DateTimeOffset GiveUpAt);

    private static readonly TimeSpan MaxWaiterAge = TimeSpan.FromMinutes(5);

    private readonly DeliverySchedule<string> _schedule = new();   // when each node's next attempt / renewal / refresh is due
    private readonly DeliverySchedule<string> _ready = new();      // due attempts, keyed by the node's deadline
    private readonly DeliverySchedule<string> _expiries = new();   // deadline per node, for the expiry alarm
    private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetadataItem> _cachedItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Waiter>> _waiters = new(StringComparer.Ordinal);
    private readonly List<DeliveryOutcome> _pendingOutcomes = [];
    private DateTimeOffset? _armedFor;

    private TimeSpan Ttl => _state.Spec!.Metadata.Ttl;
    private BackoffPolicy Backoff => BackoffPolicy.ForLifetime(Ttl);

    private void RegisterDeliveryHandlers()
    {
        Command<Tick>(_ => { _armedFor = null; RunDue(); });
        Command<DeliveryAttemptFinished>(OnAttemptFinished);
        Command<Terminated>(t =>
        {
            var entry = _inFlight.FirstOrDefault(kv => kv.Value.Child.Equals(t.ActorRef));
            if (entry.Key is not null)
                OnAttemptFinished(new DeliveryAttemptFinished(entry.Value.DeliveryId, entry.Key, AttemptResult.Failed, null,
                    "delivery actor stopped unexpectedly", TimeSpan.Zero));
        });
        Command<FlushOutcomes>(_ => FlushOutcomesNow());
    }

    /// <summary>Supervision of delivery children: an unexpected exception stops the child; its Terminated
    /// is then counted as a failed attempt and retried like any other.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);

    private void RebuildSchedules()
    {
        var now = Now;
        var refresh = _state.Spec!.Metadata.RefreshInterval;
        _schedule.Clear();
        _ready.Clear();
        _expiries.Clear();
        foreach (var (node, rec) in _state.Nodes)
        {
            if (_inFlight.ContainsKey(node)) continue;
            var due = rec.NextAttemptAt ?? now;
            if (refresh is { } r && rec.State == NodeState.Delivered) due = Min(due, now + RandomDelay(r));
            _schedule.Set(node, due);
            if (rec.State != NodeState.Expired) _expiries.Set(node, rec.Deadline(Ttl));
        }
    }

    /// <summary>Drops every scheduled trace of a node (it left the map, or an attempt supersedes them).</summary>
    private void Unschedule(string node)
    {
        _schedule.Remove(node);
        _ready.Remove(node);
    }

    private void RunDue()
    {
        if (!_state.IsActive) return;
        var now = Now;
        foreach (var node in _expiries.TakeDue(now, int.MaxValue))
        {
            if (!_state.Nodes.TryGetValue(node, out var rec) || !DeliveryDecisions.HasJustExpired(rec, now, Ttl)) continue;
            Record(DeliveryDecisions.MarkExpired(node, rec, now));
            RaiseExpiredAlarm(node, rec);
        }
        foreach (var node in _schedule.TakeDue(now, int.MaxValue))
            if (_state.Nodes.TryGetValue(node, out var rec)) _ready.Set(node, rec.Deadline(Ttl));
        var capacity = _state.MaxConcurrency - _inFlight.Count;
        if (capacity > 0)
            foreach (var node in _ready.TakeDue(DateTimeOffset.MaxValue, capacity))
                StartAttempt(node, now);
        ArmTick();
    }

    private void StartAttempt(string node, DateTimeOffset now, string? forcedId = null)
    {
        if (_inFlight.ContainsKey(node) || !_state.Nodes.TryGetValue(node, out var rec)) return;
        var forced = forcedId is not null;
        var deliveryId = forcedId ?? NewDeliveryId();
        var renewalDue = rec.State != NodeState.Delivered || rec.NextAttemptAt is null || rec.NextAttemptAt <= now;
        var refreshOnly = !forced && !renewalDue && _state.Spec!.Metadata.RefreshInterval is not null;
        var cached = !forced && _cachedItems.TryGetValue(node, out var item) && item.ExpiresAt - now > item.Lifetime / 2 ? item : null;
        var job = new DeliveryJob(Key, _state.Spec!, _state.ValidSecrets(now).ToList(), deliveryId, node, rec.Address, cached,
            refreshOnly ? rec.Version : null);
        var child = Context.ActorOf(NodeDeliveryActor.Props(job, _services), "d-" + deliveryId);
        Context.Watch(child);
        _inFlight[node] = new InFlight(deliveryId, child, refreshOnly);
    }

    private void OnAttemptFinished(DeliveryAttemptFinished done)
    {
        if (!_inFlight.TryGetValue(done.Node, out var flight) || flight.DeliveryId != done.DeliveryId) return; // stale
        _inFlight.Remove(done.Node);
        Context.Unwatch(flight.Child);
        if (!_state.IsActive || !_state.Nodes.TryGetValue(done.Node, out var rec)) { RunDue(); return; }

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
                _schedule.Set(done.Node, refresh is { } r ? Min(acked.NextAttemptAt!.Value, now + r) : acked.NextAttemptAt!.Value);
                _expiries.Set(done.Node, acked.ExpiresAt!.Value);
                if (wasExpired) Log.Info("node {0} of {1} is delivered again after expiring", done.Node, Key);
                ReplyToWaiters(done.Node, new DeliveryAcked(done.DeliveryId, acked.Version!, now));
                break;
            case AttemptResult.Unchanged:
                _services.Metrics.Unchanged();
                _schedule.Set(done.Node, Min(rec.NextAttemptAt ?? now, now + (refresh ?? Ttl)));
                break;
            case AttemptResult.Failed when flight.RefreshOnly && rec.State == NodeState.Delivered && rec.NextAttemptAt > now:
                // A failed refresh check says nothing about the node: it still holds valid metadata. Check again
                // later (never after the renewal), without counting an attempt or leaving 'delivered'.
                var retryRefresh = Backoff.NextAttempt(now, 1, rec.NextAttemptAt, Random.Shared);
                _schedule.Set(done.Node, retryRefresh);
                Log.Debug("refresh check of {0} of {1} failed: {2}", done.Node, Key, done.Error);
                break;
            default:
                var failed = DeliveryDecisions.Failed(done.Node, rec, done.Error ?? "unknown error", now, Ttl, Backoff, Random.Shared);
                var alarm = failed.State == NodeState.Expired && rec.State != NodeState.Expired;
                Record(failed);
                if (done.Item is not null) _cachedItems[done.Node] = done.Item;
                _services.Metrics.Failed();
                _schedule.Set(done.Node, failed.NextAttemptAt!.Value);
                if (alarm) RaiseExpiredAlarm(done.Node, rec);
                Log.Debug("delivery to {0} of {1} failed (attempt {2}): {3}", done.Node, Key, failed.Attempts, done.Error);
                break;
        }
        RunDue();
    }

    /// <summary>A forced delivery: fresh fetch, backoff reset, started now (even beyond maxConcurrency,
    /// since an operator asked for it). An attempt already running is abandoned; its late report is stale.</summary>
    private string Force(string node, NodeRecord rec)
    {
        var now = Now;
        var deliveryId = NewDeliveryId();
        if (_inFlight.Remove(node, out var running))
        {
            Context.Unwatch(running.Child);
            Context.Stop(running.Child);
        }
        Record(DeliveryDecisions.ResetForForce(node, rec, now));
        _cachedItems.Remove(node);
        Unschedule(node);
        StartAttempt(node, now, deliveryId);
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
    private void RaiseExpiredAlarm(string node, NodeRecord rec)
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
        if (_state.Nodes.TryGetValue(outcome.Node, out var rec)) rec.Apply(outcome);
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
        if (_inFlight.Count < _state.MaxConcurrency)
        {
            if (_ready.Count > 0) next = Now;
            else if (_schedule.NextDue is { } due && (next is null || due < next)) next = due;
        }
        if (next is null) { Timers.Cancel("tick"); _armedFor = null; return; }
        if (_armedFor is { } armed && armed <= next && Timers.IsTimerActive("tick")) return;
        var delay = next.Value - Now;
        Timers.StartSingleTimer("tick", Tick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        _armedFor = next;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string NewDeliveryId() => Guid.NewGuid().ToString("N");
}
