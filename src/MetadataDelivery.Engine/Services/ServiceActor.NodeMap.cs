using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Engine.NodeMaps;

namespace MetadataDelivery.Engine.Services;

// Keeping the node set in sync with the node map: conditional reads, whole-map validation, persisted diffs.
public sealed partial class ServiceActor
{
    private sealed record SyncTimer { public static readonly SyncTimer Instance = new(); }
    private sealed record NodeMapFetched(NodeMapFetch Fetch, string Location);

    private bool _syncInProgress;
    private bool _syncRequestedDuringFetch;
    private bool _ignoreETag;
    private DateTimeOffset? _lastMapCheck;

    private void RegisterNodeMapHandlers()
    {
        Command<SyncTimer>(_ => RequestSync(ignoreETag: false));
        Command<NodeMapFetched>(OnNodeMapFetched);
    }

    private void RequestSync(bool ignoreETag)
    {
        if (!_state.IsRegistered) return;
        _ignoreETag |= ignoreETag;
        if (_syncInProgress) { _syncRequestedDuringFetch = true; return; }
        _syncInProgress = true;
        var location = _state.Spec!.NodeMap;
        var etag = _ignoreETag ? null : _state.MapStatus.ETag;
        _ignoreETag = false;
        _services.NodeMaps.FetchAsync(location, etag, CancellationToken.None)
            .ContinueWith(t => new NodeMapFetched(
                t.IsCompletedSuccessfully ? t.Result : new NodeMapFetch.Failed($"reading the node map failed: {t.Exception?.GetBaseException().Message}"),
                location))
            .PipeTo(Self);
    }

    private void OnNodeMapFetched(NodeMapFetched fetched)
    {
        _syncInProgress = false;
        if (!_state.IsRegistered) return;
        if (fetched.Location != _state.Spec!.NodeMap) { RequestSync(ignoreETag: true); return; } // the map moved meanwhile
        var now = Now;
        switch (fetched.Fetch)
        {
            case NodeMapFetch.NotModified:
                _services.Metrics.NodeMapSync("not_modified");
                _lastMapCheck = now;
                if (_state.MapStatus.LastError is not null) ApplyNodeMap(new NodeMapDiff([], [], []), _state.MapStatus.ETag, _state.Nodes.Count, now);
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
                _lastMapCheck = now;
                var nodes = read.Result.Nodes!;
                var diff = NodeMapDiff.Compute(_state.Nodes.Keys, id => _state.Nodes.TryGetValue(id, out var r) ? r.Address : null, nodes);
                if (!diff.IsEmpty || read.ETag != _state.MapStatus.ETag || _state.MapStatus.LastError is not null || _state.MapStatus.SyncedAt is null)
                    ApplyNodeMap(diff, read.ETag, nodes.Count, now);
                break;
        }
        if (_syncRequestedDuringFetch) { _syncRequestedDuringFetch = false; RequestSync(ignoreETag: false); }
    }

    private void RejectNodeMap(string error, DateTimeOffset now)
    {
        if (error == _state.MapStatus.LastError) return;
        _log.Warning("node map of {0} rejected; keeping the last good map of {1} nodes: {2}", Key, _state.Nodes.Count, error);
        Persist(new NodeMapRejected(error, now), e => { _state.Apply(e); Persisted(); });
    }

    private void ApplyNodeMap(NodeMapDiff diff, string? etag, int nodeCount, DateTimeOffset now)
    {
        Persist(new NodeMapApplied(diff.Added, diff.Removed, diff.Readdressed, etag, nodeCount, now), e =>
        {
            _state.Apply(e);
            Persisted();
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
            // A new address is usually a new machine with an empty agent: deliver there now, not at the next renewal.
            foreach (var n in e.Readdressed)
            {
                _cachedItems.Remove(n.Id);
                if (!_inFlight.ContainsKey(n.Id)) _schedule.Set(n.Id, now);
            }
            if (e.Removed.Count > 0)
                Task.Run(() => _services.Envelopes.DeleteNodesAsync(Key, e.Removed)).ContinueWith(_ => { }, TaskContinuationOptions.OnlyOnFaulted);
            if (e.Added.Count + e.Removed.Count + e.Readdressed.Count > 0)
                _log.Info("node map of {0} applied: +{1} -{2} ~{3} → {4} nodes", Key, e.Added.Count, e.Removed.Count, e.Readdressed.Count, _state.Nodes.Count);
            RunDue();
        });
    }
}
