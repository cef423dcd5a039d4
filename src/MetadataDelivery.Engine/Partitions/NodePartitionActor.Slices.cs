using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Events;
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

    private void RegisterSliceHandlers()
    {
        Command<AssignNodeSlice>(OnSliceChunk);
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
        var diff = NodeMapDiff.Compute(_state.Nodes.Keys, id => _state.Nodes.TryGetValue(id, out var r) ? r.Address : null, nodes);
        var now = Now;
        FlushOutcomesNow(); // outcomes recorded before this slice must not be journaled after it
        Persist(new NodeSliceApplied(slice.Generation, chunk.Partitions, diff.Added, diff.Removed, diff.Readdressed, now), e =>
        {
            _state.Apply(e);
            Persisted();
            if (_state.IsActive) ScheduleSliceChanges(e, now);
            CountsMayHaveChanged();
            replyTo.Tell(SliceAck());
        });
    }

    private void ScheduleSliceChanges(NodeSliceApplied e, DateTimeOffset now)
    {
        foreach (var id in e.Removed)
        {
            Unschedule(id);
            _expiries.Remove(id);
            _cachedItems.Remove(id);
            _waiters.Remove(id);
            if (_inFlight.Remove(id, out var flight)) { Context.Unwatch(flight.Child); Context.Stop(flight.Child); }
        }
        foreach (var n in e.Added)
        {
            _schedule.Set(n.Id, now);
            _expiries.Set(n.Id, _state.Nodes[n.Id].Deadline(Ttl));
        }
        // A new address is usually a new machine with an empty agent: deliver there now, not at the next renewal
        // (an attempt running against the old address is abandoned; its late report is stale).
        foreach (var n in e.Readdressed)
        {
            _cachedItems.Remove(n.Id);
            if (_inFlight.Remove(n.Id, out var running)) { Context.Unwatch(running.Child); Context.Stop(running.Child); }
            Unschedule(n.Id);
            _schedule.Set(n.Id, now);
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
            _log.Info("node slice of {0} applied: +{1} -{2} ~{3} → {4} nodes", _state.Key, e.Added.Count, e.Removed.Count, e.Readdressed.Count, _state.Nodes.Count);
        RunDue();
    }

    private NodeSliceAcked SliceAck() => new(Key, _state.Key.Index, _state.SliceGeneration, _state.Counts());
}
