using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetadataDelivery.Bench;

public static class BenchRunner
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly string[] Baselines = ["raw", "raw-fetch"];
    private static readonly string[] SystemScenarios = ["steady", "force", "rotation"];

    /// <summary>Runs the scenarios in order; the baselines' rates are copied into every result for the ratios. The
    /// machine's speed drifts (a virtual machine on shared hardware: raw measured 16k–21k pushes/s within one hour), so
    /// a baseline measured only before the system would carry that drift into every ratio. Unless told not to, each raw
    /// baseline that ran before a system scenario runs once more after the last one, and the ratios use the mean of
    /// the two (both are reported).</summary>
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchOptions o, Action<string> log)
    {
        var results = new List<ScenarioResult>();
        foreach (var scenario in o.Scenarios)
        {
            log($"== {scenario}: {o.Nodes} nodes, {o.Services} services, ttl {o.Ttl.TotalSeconds:0} s, renewAt {o.RenewAt}");
            results.Add(await Scenarios.RunAsync(scenario, o, log));
        }
        var lastSystem = o.Scenarios.ToList().FindLastIndex(s => SystemScenarios.Contains(s));
        var again = o.RerunBaselines ? o.Scenarios.Take(Math.Max(0, lastSystem)).Where(Baselines.Contains).Distinct().ToList() : [];
        var reruns = new List<ScenarioResult>();
        foreach (var scenario in again)
        {
            log($"== {scenario} again, after the system (the machine's speed drifts; the ratios use the mean)");
            reruns.Add(await Scenarios.RunAsync(scenario, o, log));
        }

        var rawRuns = RunsOf("raw", r => r.RawPushesPerSecond);
        var rawFetchRuns = RunsOf("raw-fetch", r => r.RawFetchPushesPerSecond);
        var raw = rawRuns.Count > 0 ? rawRuns.Average() : (double?)null;
        var rawFetch = rawFetchRuns.Count > 0 ? rawFetchRuns.Average() : (double?)null;
        var peer = results.FirstOrDefault(r => r.Scenario == "peer")?.PeerDeliveriesPerSecond;
        return results.Select(r => r with
        {
            RawPushesPerSecond = raw ?? r.RawPushesPerSecond,
            RawFetchPushesPerSecond = rawFetch ?? r.RawFetchPushesPerSecond,
            RawPushesPerSecondRuns = rawRuns.Count > 0 ? rawRuns : null,
            RawFetchPushesPerSecondRuns = rawFetchRuns.Count > 0 ? rawFetchRuns : null,
            PeerDeliveriesPerSecond = peer ?? r.PeerDeliveriesPerSecond,
            CpuPercent = Baselines.Contains(r.Scenario) ? RunsOf(r.Scenario, b => b.CpuPercent).DefaultIfEmpty().Average() : r.CpuPercent,
        }).ToList();

        List<double> RunsOf(string scenario, Func<ScenarioResult, double?> rate) =>
            results.Concat(reruns).Where(r => r.Scenario == scenario).Select(rate).OfType<double>().ToList();
    }

    public static void PrintTable(IReadOnlyList<ScenarioResult> results, TextWriter w)
    {
        static string F(double? v, string format = "0.0") => v?.ToString(format, System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        w.WriteLine($"{"scenario",-9} {"nodes",8} {"deliv/s",9} {"demand/s",9} {"raw/s",9} {"ratio",6} {"rawF/s",8} {"ratioF",6} {"peer/s",8} {"expired",8} {"B/node",7} {"heap B/n",8} {"p99 late ms",12} {"force p99",10} {"api p99",8} {"drain s",8} {"fails",6} {"cpu %",6} {"RSS MB",7} {"gc %",5} {"KB/deliv",8} {"jit %",5}");
        foreach (var r in results)
        {
            var ratio = r.DeliveriesPerSecond is { } d && r.RawPushesPerSecond is { } raw ? d / raw : (double?)null;
            var ratioFetch = r.DeliveriesPerSecond is { } d2 && r.RawFetchPushesPerSecond is { } rawFetch ? d2 / rawFetch : (double?)null;
            w.WriteLine($"{r.Scenario,-9} {r.Nodes,8} {F(r.DeliveriesPerSecond),9} {F(r.DemandPerSecond),9} {F(r.RawPushesPerSecond),9} {F(ratio, "0.00"),6} {F(r.RawFetchPushesPerSecond),8} {F(ratioFetch, "0.00"),6} {F(r.PeerDeliveriesPerSecond),8} {r.Expired?.ToString() ?? "-",8} {F(r.BytesPerNode, "0"),7} {F(r.ProcessHeapBytesPerNode, "0"),8} {F(r.P99LatenessMs),12} {F(r.ForceP99Ms),10} {F(r.ApiP99Ms),8} {F(r.DrainSeconds),8} {r.PushFailures?.ToString() ?? "-",6} {F(r.CpuPercent),6} {F(r.ResidentMb, "0"),7} {F(r.GcPausePercent),5} {F(r.AllocatedKbPerDelivery),8} {F(r.JitPercent),5}");
        }
        if (results.FirstOrDefault() is { } any)
        {
            if (any.RawPushesPerSecondRuns is { Count: > 1 } raw) w.WriteLine($"raw/s is the mean of {Runs(raw)}");
            if (any.RawFetchPushesPerSecondRuns is { Count: > 1 } rawFetch) w.WriteLine($"rawF/s is the mean of {Runs(rawFetch)}");
        }

        static string Runs(IReadOnlyList<double> runs) => string.Join(" (before the system) and ", runs.Select(v => v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))) + " (after)";
    }
}
