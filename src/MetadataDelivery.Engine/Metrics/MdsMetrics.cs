using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Metrics;

/// <summary>The system's instruments (exported by the host at /metrics) and the per-service node counts
/// that ServiceActors publish, from which the node gauges and the demo's progress line are read.</summary>
public sealed class MdsMetrics : IDisposable
{
    public const string MeterName = "MetadataDelivery";

    private readonly Meter _meter;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _latency;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _nodeMapSyncs;
    private readonly ConcurrentDictionary<string, NodeCounts> _nodeCounts = new();
    private readonly ConcurrentDictionary<string, long> _nodeStateBytes = new();
    private long _acked;
    private long _failed;
    private long _expired;
    private long _workersStarted;
    private long _workersLive;

    public MdsMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _deliveries = _meter.CreateCounter<long>("mds.deliveries", description: "Delivery attempts by result (acked, failed, unchanged)");
        _latency = _meter.CreateHistogram<double>("mds.delivery.latency", unit: "s", description: "From the start of an attempt to the agent's ack",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _inFlight = _meter.CreateUpDownCounter<long>("mds.pushes.in_flight", description: "Pushes sent and not yet answered");
        // Observed rather than added to, so the series exists at 0 from the start: an alert rule on its rate needs data
        // before the first alarm, and an absent series reads as "no data", not as "no expiries".
        _meter.CreateObservableCounter("mds.alarms.expired", () => ExpiredAlarmsTotal, description: "Nodes whose item expired undelivered");
        _nodeMapSyncs = _meter.CreateCounter<long>("mds.nodemap.syncs", description: "Node-map reads by result");
        _meter.CreateObservableGauge("mds.nodes", ObserveNodes, description: "Managed nodes by state");
        _meter.CreateObservableGauge("mds.services", () => _nodeCounts.Count, description: "Services running on this member");
        _meter.CreateObservableGauge("mds.node_state_bytes", () => NodeStateBytesTotal,
            description: "Memory the node partitions on this member hold for their nodes (node tables and schedules)");
        _meter.CreateObservableGauge("mds.delivery.workers", () => WorkersLive,
            description: "Delivery workers alive on this member: running an attempt, or idle for at most a second");
    }

    public long AckedTotal => Interlocked.Read(ref _acked);
    public long FailedTotal => Interlocked.Read(ref _failed);
    public long ExpiredAlarmsTotal => Interlocked.Read(ref _expired);
    public long WorkersStartedTotal => Interlocked.Read(ref _workersStarted);
    public long WorkersLive => Interlocked.Read(ref _workersLive);

    public void WorkerStarted()
    {
        Interlocked.Increment(ref _workersStarted);
        Interlocked.Increment(ref _workersLive);
    }

    public void WorkerStopped() => Interlocked.Decrement(ref _workersLive);

    public void Acked(TimeSpan latency)
    {
        Interlocked.Increment(ref _acked);
        _deliveries.Add(1, new KeyValuePair<string, object?>("result", "acked"));
        _latency.Record(latency.TotalSeconds);
    }

    public void Failed()
    {
        Interlocked.Increment(ref _failed);
        _deliveries.Add(1, new KeyValuePair<string, object?>("result", "failed"));
    }

    public void Unchanged() => _deliveries.Add(1, new KeyValuePair<string, object?>("result", "unchanged"));
    public void PushStarted() => _inFlight.Add(1);
    public void PushFinished() => _inFlight.Add(-1);
    public void ExpiredAlarm()
    {
        Interlocked.Increment(ref _expired);
    }
    public void NodeMapSync(string result) => _nodeMapSyncs.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>Node counts are published by the partitions running on this member, so each node is
    /// counted once in the cluster: by the member that holds its partition.</summary>
    public void PublishNodeCounts(PartitionKey partition, NodeCounts counts, long stateBytes)
    {
        _nodeCounts[partition.EntityId] = counts;
        _nodeStateBytes[partition.EntityId] = stateBytes;
    }

    public void ForgetPartition(PartitionKey partition)
    {
        _nodeCounts.TryRemove(partition.EntityId, out _);
        _nodeStateBytes.TryRemove(partition.EntityId, out _);
    }

    public long NodeStateBytesTotal => _nodeStateBytes.Values.Sum();

    /// <summary>The counts of the service's partitions that run on this member.</summary>
    public NodeCounts NodeCountsOf(ServiceKey service)
    {
        var prefix = service.EntityId + "#";
        return NodeCounts.Sum(_nodeCounts.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Value));
    }

    public NodeCounts TotalNodeCounts() => NodeCounts.Sum(_nodeCounts.Values);

    private IEnumerable<Measurement<long>> ObserveNodes()
    {
        var t = TotalNodeCounts();
        yield return new Measurement<long>(t.Delivered, new KeyValuePair<string, object?>("state", "delivered"));
        yield return new Measurement<long>(t.Pending, new KeyValuePair<string, object?>("state", "pending"));
        yield return new Measurement<long>(t.Retrying, new KeyValuePair<string, object?>("state", "retrying"));
        yield return new Measurement<long>(t.Expired, new KeyValuePair<string, object?>("state", "expired"));
    }

    public void Dispose() => _meter.Dispose();
}
