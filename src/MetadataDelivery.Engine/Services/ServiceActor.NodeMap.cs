using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Partitions;

namespace MetadataDelivery.Engine.Services;

// Keeping the node set in sync with the node map: conditional reads, whole-map validation, then each
// partition gets its slice; the map counts as applied (and its ETag is journaled) once every partition has it.
// Reads go on while a distribution waits for acknowledgements. A map that changes meanwhile is distributed once the
// one under way is applied, or, if that has waited for a minute, supersedes it (a new generation): one partition that
// never acknowledges cannot hold the others' node sets back, and a slow but healthy one is not restarted every sync.
public sealed partial class ServiceActor
{
    private sealed record SyncTimer { public static readonly SyncTimer Instance = new(); }
    private sealed record NodeMapFetched(NodeMapFetch Fetch, string Location, long Read);

    /// <summary>A node map on its way to the partitions. Slices are kept until acknowledged, to resend them.</summary>
    private sealed class SliceDistribution(long generation, string? etag, int nodeCount, int partitions, int previousPartitions, List<NodeEntry>[] slices)
    {
        public int PreviousPartitions { get; } = previousPartitions;
        public long Generation { get; } = generation;
        public string? ETag { get; } = etag;
        public int NodeCount { get; } = nodeCount;
        public int Partitions { get; } = partitions;
        public List<NodeEntry>[] Slices { get; } = slices;
        public HashSet<int> Pending { get; } = [.. Enumerable.Range(0, partitions)];
        /// <summary>Tells this distribution's chunks apart from those of an interrupted one with the same generation.</summary>
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset? WarnedAt { get; set; }
    }

    /// <summary>How long a distribution may wait for a partition before a changed map supersedes it and the log says so
    /// (then once per interval).</summary>
    private static readonly TimeSpan SlowDistribution = TimeSpan.FromMinutes(1);

    /// <summary>Nodes per slice message: keeps each remote message well under the frame size.</summary>
    private const int SliceChunkSize = 1000;

    private bool _fetchInProgress;
    private long _reads; // numbers each read, so that a result from before a stop (deletion) is told apart
    private bool _syncWhenApplied; // a changed map was read while a distribution was under way
    private bool _syncRequestedDuringFetch;
    private bool _ignoreETag;
    private DateTimeOffset? _lastMapCheck;
    private SliceDistribution? _distribution;

    private void RegisterNodeMapHandlers()
    {
        Command<SyncTimer>(_ => RequestSync(ignoreETag: false));
        Command<NodeMapFetched>(OnNodeMapFetched);
    }

    private void RequestSync(bool ignoreETag)
    {
        if (!_state.IsRegistered) return;
        _ignoreETag |= ignoreETag;
        if (_fetchInProgress) { _syncRequestedDuringFetch = true; return; }
        _fetchInProgress = true;
        var location = _state.Spec!.NodeMap;
        // While a distribution is under way, "not modified" must mean: still the map being distributed.
        var etag = _ignoreETag ? null : _distribution is { } pending ? pending.ETag : _state.MapStatus.ETag;
        _ignoreETag = false;
        var read = ++_reads;
        _services.NodeMaps.FetchAsync(location, etag, CancellationToken.None)
            .ContinueWith(t => new NodeMapFetched(
                t.IsCompletedSuccessfully ? t.Result : new NodeMapFetch.Failed($"reading the node map failed: {t.Exception?.GetBaseException().Message}"),
                location, read))
            .PipeTo(Self);
    }

    private void OnNodeMapFetched(NodeMapFetched fetched)
    {
        if (fetched.Read != _reads) return; // a read from before a stop; another may be in flight
        _fetchInProgress = false;
        if (!_state.IsRegistered) return;
        if (fetched.Location != _state.Spec!.NodeMap) { RequestSync(ignoreETag: true); return; } // the map moved meanwhile
        var now = Now;
        switch (fetched.Fetch)
        {
            case NodeMapFetch.NotModified:
                _services.Metrics.NodeMapSync("not_modified");
                if (_distribution is not null) break; // "not modified" from the map under way: not in sync yet
                _lastMapCheck = now;
                if (_state.MapStatus.LastError is not null)
                    Persist(new NodeMapApplied(_state.MapGeneration, _state.MapStatus.ETag, _state.MapStatus.NodeCount, _state.PartitionCount, now),
                        e => { _state.Apply(e); Persisted(); });
                break;
            case NodeMapFetch.Failed failed:
                _services.Metrics.NodeMapSync("error");
                RejectNodeMap(failed.Error, now);
                break;
            case NodeMapFetch.Read { Result.IsValid: false } invalid:
                _services.Metrics.NodeMapSync("invalid");
                RejectNodeMap("invalid node map: " + invalid.Result.Error, now);
                break;
            case NodeMapFetch.Read read:
                _services.Metrics.NodeMapSync("read");
                if (_distribution is { } pending)
                {
                    if (read.ETag is not null && read.ETag == pending.ETag) break; // still the map being distributed
                    if (now - pending.StartedAt < SlowDistribution) { _syncWhenApplied = true; break; }
                    Log.Warning("node map of {0} changed while partitions {1} had not acknowledged generation {2}: distributing the new map instead",
                        Key, string.Join(", ", pending.Pending.Order()), pending.Generation);
                    Distribute(read.Result.Nodes!, read.ETag);
                    return;
                }
                _lastMapCheck = now;
                var unchanged = read.ETag is not null && read.ETag == _state.MapStatus.ETag && _state.MapStatus.LastError is null && _state.MapStatus.SyncedAt is not null;
                if (!unchanged) { Distribute(read.Result.Nodes!, read.ETag); return; }
                break;
        }
        FetchFinished();
    }

    /// <summary>Starts the read that was asked for while one was in flight.</summary>
    private void FetchFinished()
    {
        if (_syncRequestedDuringFetch) { _syncRequestedDuringFetch = false; RequestSync(ignoreETag: false); }
    }

    private void RejectNodeMap(string error, DateTimeOffset now)
    {
        if (error == _state.MapStatus.LastError) return;
        Log.Warning("node map of {0} rejected; keeping the last good map of {1} nodes: {2}", Key, _state.MapStatus.NodeCount, error);
        Persist(new NodeMapRejected(error, now), e => { _state.Apply(e); Persisted(); });
    }

    private void Distribute(IReadOnlyList<NodeEntry> nodes, string? etag)
    {
        var partitions = NodePartitioning.CountFor(nodes.Count, _services.Options.Delivery.NodesPerPartition, _state.PartitionCount);
        var slices = NodePartitioning.Split(nodes, partitions);
        // Journaled first: a fresh generation (late chunks or acks of an interrupted distribution can never pass
        // for this one) and the partitions it will reach (so a deletion midway retires new ones too).
        Persist(new NodeMapDistributionStarted(_state.DistributionGeneration + 1, partitions, Now), e =>
        {
            // Partitions a superseded distribution added may not have taken its slice: they are still new.
            var before = _distribution is { } superseded ? Math.Min(superseded.PreviousPartitions, _state.PartitionCount) : _state.PartitionCount;
            _state.Apply(e);
            Persisted();
            if (!_state.IsRegistered) return; // deleted meanwhile
            if (partitions > before)
                Log.Info("service {0} grows from {1} to {2} node partitions ({3} nodes)", Key, before, partitions, nodes.Count);
            _distribution = new SliceDistribution(e.Generation, etag, nodes.Count, partitions, before, slices) { StartedAt = Now };
            FetchFinished();
            SendConfiguration(); // new partitions need the configuration before their nodes
            for (var p = 0; p < partitions; p++) SendSlice(_distribution, p);
            ArmResend();
        });
    }

    private void SendSlice(SliceDistribution d, int partition)
    {
        var slice = d.Slices[partition];
        var chunks = Math.Max(1, (slice.Count + SliceChunkSize - 1) / SliceChunkSize);
        for (var c = 0; c < chunks; c++)
        {
            var start = c * SliceChunkSize;
            var nodes = slice.GetRange(start, Math.Min(SliceChunkSize, slice.Count - start));
            Partitions.Tell(new AssignNodeSlice(PartitionAt(partition), d.Generation, d.Id, d.Partitions, d.PreviousPartitions, c, chunks, nodes), Self);
        }
    }

    private void ResendSlices()
    {
        if (_distribution is not { } d) return;
        foreach (var p in d.Pending) SendSlice(d, p);
        var now = Now;
        if (now - d.StartedAt >= SlowDistribution && (d.WarnedAt is not { } warned || now - warned >= SlowDistribution))
        {
            d.WarnedAt = now;
            Log.Warning("node map of {0}: partitions {1} have not acknowledged generation {2} for {3:0} s; resending, and a changed map will supersede it",
                Key, string.Join(", ", d.Pending.Order()), d.Generation, (now - d.StartedAt).TotalSeconds);
        }
    }

    private void OnSliceAcked(NodeSliceAcked ack)
    {
        if (_distribution is not { } d || ack.Generation != d.Generation || !d.Pending.Remove(ack.Index) || d.Pending.Count > 0) return;
        Persist(new NodeMapApplied(d.Generation, d.ETag, d.NodeCount, d.Partitions, Now), e =>
        {
            _distribution = null;
            _state.Apply(e);
            Persisted();
            Log.Info("node map of {0} applied: {1} nodes in {2} partitions", Key, e.NodeCount, e.Partitions);
            if (_syncWhenApplied) { _syncWhenApplied = false; RequestSync(ignoreETag: false); }
        });
    }
}
