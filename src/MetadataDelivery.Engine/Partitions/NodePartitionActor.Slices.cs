using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;

namespace MetadataDelivery.Engine.Partitions;

// Holding the nodes the ServiceActor assigns: slices arrive in chunks, are diffed whole, journaled as a diff.
public sealed partial class NodePartitionActor
{
    /// <summary>The chunks of one slice received so far.</summary>
    private sealed class IncomingSlice(long generation, string distribution, int chunks)
    {
        public string Distribution { get; } = distribution;
        private readonly List<NodeEntry>?[] _chunks = new List<NodeEntry>?[chunks];
        private int _missing = chunks;

        public long Generation { get; } = generation;
        public bool IsComplete => _missing == 0;

        public void Add(int chunk, IReadOnlyList<NodeEntry> nodes)
        {
            if (chunk < 0 || chunk >= _chunks.Length || _chunks[chunk] is not null) return;
            _chunks[chunk] = [.. nodes];
            _missing--;
        }

        public List<NodeEntry> Nodes() => _chunks.SelectMany(c => c!).ToList();
    }

    private IncomingSlice? _incoming;
    /// <summary>Delivery state handed over for nodes this partition does not hold yet (the hand-over overtook the slice).</summary>
    private readonly Dictionary<string, HandedOverNode> _handedOver = new(StringComparer.Ordinal);

    private const int HandOverChunkSize = 1000;

    private void RegisterSliceHandlers()
    {
        Command<AssignNodeSlice>(OnSliceChunk);
        Command<HandOverNodes>(OnHandOver);
    }

    private void OnSliceChunk(AssignNodeSlice chunk)
    {
        if (_passivating || _state.IsRetired) return; // stopping (the ServiceActor resends), or a late copy from before a deletion
        RememberService(Sender);
        // Generations are unique per distribution: an older one is superseded (its ServiceActor waits only for the
        // newest), an equal one is a resend of the slice applied last.
        if (chunk.Generation < _state.SliceGeneration) return;
        if (chunk.Generation == _state.SliceGeneration) { Sender.Tell(SliceAck()); return; }
        if (_incoming is { } current && current.Generation > chunk.Generation) return;
        if (_incoming is null || _incoming.Distribution != chunk.Distribution) _incoming = new IncomingSlice(chunk.Generation, chunk.Distribution, chunk.Chunks);
        _incoming.Add(chunk.Chunk, chunk.Nodes);
        if (!_incoming.IsComplete) return;

        var slice = _incoming;
        _incoming = null;
        var replyTo = Sender;
        var nodes = slice.Nodes();
        var diff = _state.Nodes.Diff(nodes);
        var now = Now;
        FlushOutcomesNow(); // outcomes recorded before this slice must not be journaled after it
        var isNew = _state.Key.Index >= chunk.PreviousPartitions && chunk.Partitions > chunk.PreviousPartitions;
        Persist(new NodeSliceApplied(slice.Generation, chunk.Partitions, diff.Added, diff.Removed, diff.Readdressed, now), e =>
        {
            var moving = MovingNodes(e);
            foreach (var id in e.Removed) if (_state.Nodes.TryGetSlot(id, out var slot)) ForgetSchedules(slot); // before their slots are freed
            _state.Apply(e);
            Persisted();
            if (_state.IsActive) ScheduleSliceChanges(e, now, isNew);
            HandOver(moving);
            CountsMayHaveChanged();
            replyTo.Tell(SliceAck());
        });
    }

    private void ScheduleSliceChanges(NodeSliceApplied e, DateTimeOffset now, bool isNewPartition)
    {
        foreach (var id in e.Removed)
        {
            _cachedItems.Remove(id);
            _waiters.Remove(id);
            if (_inFlight.Remove(id, out var flight)) Context.Stop(flight.Child);
        }
        // In a partition the service just added, the nodes moved in from older partitions, whose hand-over of their
        // delivery state is on its way: first attempts wait a moment for it (never long: ≤ 5 s, ≤ 5 % of the lifetime).
        var firstAttempt = isNewPartition ? now + TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, Ttl.Ticks / 20)) : now;
        ReserveScheduleSlots();
        foreach (var n in e.Added)
        {
            if (_handedOver.Remove(n.Id, out var handed) && TryAdopt(n.Id, handed, now)) continue;
            if (!_state.Nodes.TryGetSlot(n.Id, out var slot)) continue;
            _schedule.Set(slot, firstAttempt);
            _expiries.Set(slot, _state.Nodes[slot].Deadline(Ttl));
        }
        _handedOver.Clear(); // for nodes this slice does not hold: the map changed again meanwhile
        // A new address is usually a new machine with an empty agent: deliver there now, not at the next renewal
        // (an attempt running against the old address is abandoned; its late report is stale).
        foreach (var n in e.Readdressed)
        {
            _cachedItems.Remove(n.Id);
            if (_inFlight.Remove(n.Id, out var running)) Context.Stop(running.Child);
            if (!_state.Nodes.TryGetSlot(n.Id, out var slot)) continue;
            Unschedule(slot);
            _schedule.Set(slot, now);
        }
        // The pull envelopes of nodes that left the map go; those of nodes that moved to a new partition (the
        // service grew) stay, since their new partition may already have stored a fresh one.
        var left = e.Removed.Where(id => NodePartitioning.PartitionOf(id, e.Partitions) == _state.Key.Index).ToList();
        if (left.Count > 0)
        {
            var key = Key;
            Task.Run(() => _services.Envelopes.DeleteNodesAsync(key, left)).ContinueWith(_ => { }, TaskContinuationOptions.OnlyOnFaulted);
        }
        if (e.Added.Count + e.Removed.Count + e.Readdressed.Count > 0)
            Log.Info("node slice of {0} applied: +{1} -{2} ~{3} → {4} nodes", _state.Key, e.Added.Count, e.Removed.Count, e.Readdressed.Count, _state.Nodes.Count);
        RunDue();
    }

    /// <summary>The nodes this slice removes because they now belong to another partition (the service grew),
    /// with their delivery state: captured before the slice is applied, handed over after.</summary>
    private List<(int Target, HandedOverNode Node)> MovingNodes(NodeSliceApplied e)
    {
        var moving = new List<(int, HandedOverNode)>();
        foreach (var id in e.Removed)
        {
            var target = NodePartitioning.PartitionOf(id, e.Partitions);
            if (target == _state.Key.Index || !_state.Nodes.TryGetSlot(id, out var slot)) continue;
            moving.Add((target, new HandedOverNode(_state.Nodes.AddressOf(slot), _state.Nodes[slot].ToOutcome(id))));
        }
        return moving;
    }

    private void HandOver(List<(int Target, HandedOverNode Node)> moving)
    {
        if (moving.Count == 0) return;
        var partitions = _services.PartitionRegion();
        foreach (var group in moving.GroupBy(m => m.Target))
            foreach (var chunk in group.Select(m => m.Node).Chunk(HandOverChunkSize))
                partitions.Tell(new HandOverNodes(new PartitionKey(Key, group.Key), chunk));
        Log.Info("partition {0} handed over {1} nodes to the partitions they moved to", _state.Key, moving.Count);
    }

    private void OnHandOver(HandOverNodes handOver)
    {
        if (_passivating || _state.IsRetired) return;
        var now = Now;
        var adopted = 0;
        foreach (var node in handOver.Nodes)
        {
            if (_state.Nodes.Contains(node.State.Node)) { if (TryAdopt(node.State.Node, node, now)) adopted++; }
            else _handedOver[node.State.Node] = node; // the slice that adds it has not arrived yet
        }
        if (adopted > 0) { RunDue(); CountsMayHaveChanged(); }
    }

    /// <summary>Takes over a moved node's delivery state, unless this partition already started on the node itself
    /// or the node moved to a new address as well (then it needs a delivery there anyway).</summary>
    private bool TryAdopt(string id, HandedOverNode handed, DateTimeOffset now)
    {
        if (!_state.IsActive || !_state.Nodes.TryGetSlot(id, out var slot) || _inFlight.ContainsKey(id)
            || _state.Nodes[slot].Attempts > 0 || _state.Nodes[slot].DeliveredAt is not null || !_state.Nodes.HasAddress(slot, handed.Address))
            return false;
        Record(handed.State);
        Unschedule(slot);
        _schedule.Set(slot, handed.State.NextAttemptAt ?? now);
        var adopted = _state.Nodes[slot];
        if (adopted.State == NodeState.Expired) _expiries.Remove(slot);
        else _expiries.Set(slot, adopted.Deadline(Ttl));
        return true;
    }

    private NodeSliceAcked SliceAck() => new(Key, _state.Key.Index, _state.SliceGeneration, _state.Counts());
}
