using System.Text.Json.Serialization;

namespace MetadataDelivery.Bench;

/// <summary>One scenario's figures, as written to the JSON file (null where a scenario does not measure it).</summary>
public sealed record ScenarioResult(
    string Scenario,
    int Nodes,
    double? DeliveriesPerSecond = null,
    double? RawPushesPerSecond = null,
    double? RawFetchPushesPerSecond = null,
    double? PeerDeliveriesPerSecond = null,
    /// <summary>Each measurement of the raw baseline in this run (before the system, and again after it); <see cref="RawPushesPerSecond"/> is their mean.</summary>
    IReadOnlyList<double>? RawPushesPerSecondRuns = null,
    /// <summary>Each measurement of the raw-fetch baseline in this run; <see cref="RawFetchPushesPerSecond"/> is their mean.</summary>
    IReadOnlyList<double>? RawFetchPushesPerSecondRuns = null,
    long? Expired = null,
    double? BytesPerNode = null,
    double? ProcessHeapBytesPerNode = null,
    double? P50LatenessMs = null,
    double? P99LatenessMs = null,
    double? ForceP50Ms = null,
    double? ForceP99Ms = null,
    double? ApiP99Ms = null,
    double? DrainSeconds = null,
    long? PushFailures = null,
    double? CpuPercent = null,
    double? ResidentMb = null,
    double? GcPausePercent = null,
    double? AllocatedKbPerDelivery = null,
    /// <summary>JIT compilation within the measured window, as a share of the machine (should be near 0 after the warm-up).</summary>
    double? JitPercent = null,
    /// <summary>Renewals the nodes ask for per second (nodes ÷ (TTL × renew-at)); above the delivered rate, the system is saturated.</summary>
    double? DemandPerSecond = null,
    IReadOnlyList<int>? DeliveriesPerSecondSeries = null,
    [property: JsonIgnore] IReadOnlyList<double>? LatenessSamples = null,
    /// <summary>With <c>--repeat</c>: which repetition of the scenario list this result is from (1-based).</summary>
    int? Repeat = null,
    /// <summary>With <c>--repeat</c>, on a scenario's summary: how many repetitions it summarises.</summary>
    int? Repeats = null,
    /// <summary>Deliveries per second ÷ the raw baseline (<see cref="RawPushesPerSecond"/>: the mean of all raw runs, or with
    /// <c>--repeat</c> of the runs just before and just after it); on a summary, the mean of the repetitions' ratios.</summary>
    double? RatioToRaw = null,
    double? RatioToRawFetch = null,
    /// <summary>On a summary: the spread of the repetitions' ratios to raw.</summary>
    RatioStatistics? RatioToRawStatistics = null,
    RatioStatistics? RatioToRawFetchStatistics = null,
    /// <summary>Services registered per second through the API (while the first ones deliver), and a registration's p99 latency.</summary>
    double? RegistrationPerSecond = null,
    double? RegistrationP99Ms = null);

/// <summary>How the services of a run were registered: count, wall time, rate, and the latency of one registration.</summary>
public sealed record RegistrationStats(int Services, double Seconds, double PerSecond, double P50Ms, double P99Ms);

public static class Percentiles
{
    public static double? Of(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
