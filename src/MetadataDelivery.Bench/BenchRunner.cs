using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetadataDelivery.Bench;

public static class BenchRunner
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Runs the scenarios in order; the raw baseline's rate is copied into every result for the ratio.</summary>
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchOptions o, Action<string> log)
    {
        var results = new List<ScenarioResult>();
        foreach (var scenario in o.Scenarios)
        {
            log($"== {scenario}: {o.Nodes} nodes, {o.Services} services, ttl {o.Ttl.TotalSeconds:0} s, renewAt {o.RenewAt}");
            results.Add(await Scenarios.RunAsync(scenario, o, log));
        }
        var raw = results.FirstOrDefault(r => r.Scenario == "raw")?.RawPushesPerSecond;
        var rawFetch = results.FirstOrDefault(r => r.Scenario == "raw-fetch")?.RawFetchPushesPerSecond;
        var peer = results.FirstOrDefault(r => r.Scenario == "peer")?.PeerDeliveriesPerSecond;
        return results.Select(r => r with
        {
            RawPushesPerSecond = raw ?? r.RawPushesPerSecond,
            RawFetchPushesPerSecond = rawFetch ?? r.RawFetchPushesPerSecond,
            PeerDeliveriesPerSecond = peer ?? r.PeerDeliveriesPerSecond,
        }).ToList();
    }

    public static void PrintTable(IReadOnlyList<ScenarioResult> results, TextWriter w)
    {
        static string F(double? v, string format = "0.0") => v?.ToString(format, System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        w.WriteLine($"{"scenario",-9} {"nodes",8} {"deliv/s",9} {"raw/s",9} {"ratio",6} {"rawF/s",8} {"ratioF",6} {"peer/s",8} {"expired",8} {"B/node",7} {"heap B/n",8} {"p99 late ms",12} {"force p99",10} {"api p99",8} {"drain s",8} {"fails",6} {"cpu %",6} {"RSS MB",7} {"gc %",5} {"KB/deliv",8} {"jit %",5}");
        foreach (var r in results)
        {
            var ratio = r.DeliveriesPerSecond is { } d && r.RawPushesPerSecond is { } raw ? d / raw : (double?)null;
            var ratioFetch = r.DeliveriesPerSecond is { } d2 && r.RawFetchPushesPerSecond is { } rawFetch ? d2 / rawFetch : (double?)null;
            w.WriteLine($"{r.Scenario,-9} {r.Nodes,8} {F(r.DeliveriesPerSecond),9} {F(r.RawPushesPerSecond),9} {F(ratio, "0.00"),6} {F(r.RawFetchPushesPerSecond),8} {F(ratioFetch, "0.00"),6} {F(r.PeerDeliveriesPerSecond),8} {r.Expired?.ToString() ?? "-",8} {F(r.BytesPerNode, "0"),7} {F(r.ProcessHeapBytesPerNode, "0"),8} {F(r.P99LatenessMs),12} {F(r.ForceP99Ms),10} {F(r.ApiP99Ms),8} {F(r.DrainSeconds),8} {r.PushFailures?.ToString() ?? "-",6} {F(r.CpuPercent),6} {F(r.ResidentMb, "0"),7} {F(r.GcPausePercent),5} {F(r.AllocatedKbPerDelivery),8} {F(r.JitPercent),5}");
        }
    }
}
