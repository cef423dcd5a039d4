using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetadataDelivery.Bench;

public static class BenchRunner
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly string[] Baselines = ["raw", "raw-fetch"];
    private static readonly string[] SystemScenarios = ["steady", "force", "rotation"];

    /// <summary>Runs the scenarios in order (with <c>--repeat</c>, the whole list that many times; the peer, a minute
    /// per run, only the first time); the baselines' rates are copied into every result for the ratios. The machine's
    /// speed drifts (a virtual machine on shared hardware: raw measured 16k–21k pushes/s within one hour), so a baseline
    /// measured only before the system would carry that drift into every ratio. Unless told not to, each raw baseline
    /// that ran before the last system scenario, and not after it, runs once more at the end. With one repetition, every
    /// result carries the mean of all runs of each baseline (as before repeats existed). With repeats, a system result's
    /// ratio uses the runs of each baseline just before and just after it, a baseline's result is its own run, and each
    /// system scenario gets one more result, its summary: the mean, range and 95 % confidence interval of its
    /// repetitions' ratios.</summary>
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchOptions o, Action<string> log)
    {
        var ran = new List<ScenarioResult>(); // every run in the order it ran; the reruns come last
        for (var repeat = 1; repeat <= o.Repeat; repeat++)
        {
            foreach (var scenario in o.Scenarios)
            {
                if (repeat > 1 && scenario == "peer") continue;
                var of = o.Repeat > 1 ? $" (repetition {repeat} of {o.Repeat})" : "";
                log($"== {scenario}{of}: {o.Nodes} nodes, {o.Services} services, ttl {o.Ttl.TotalSeconds:0} s, renewAt {o.RenewAt}");
                var result = await Scenarios.RunAsync(scenario, o, log);
                // What the process still holds once the scenario's environment is gone: growth over repetitions is a leak.
                log($"{scenario}: {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:0} MB of heap left after it (after a full collection)");
                if (o.Repeat > 1) result = result with { Repeat = repeat };
                ran.Add(result);
            }
        }
        var results = ran.ToList(); // the results: every run but the reruns below
        var lastSystem = ran.FindLastIndex(r => SystemScenarios.Contains(r.Scenario));
        var alreadyAfter = ran.Skip(lastSystem + 1).Select(r => r.Scenario).ToHashSet();
        var again = o.RerunBaselines && lastSystem > 0
            ? ran.Take(lastSystem).Select(r => r.Scenario).Where(s => Baselines.Contains(s) && !alreadyAfter.Contains(s)).Distinct().ToList()
            : [];
        foreach (var scenario in again)
        {
            log($"== {scenario} again, after the system (the machine's speed drifts; each ratio uses the runs around it)");
            ran.Add(await Scenarios.RunAsync(scenario, o, log));
        }

        var rawRuns = RunsOf(ran, "raw", r => r.RawPushesPerSecond);
        var rawFetchRuns = RunsOf(ran, "raw-fetch", r => r.RawFetchPushesPerSecond);
        var peer = results.FirstOrDefault(r => r.Scenario == "peer")?.PeerDeliveriesPerSecond;
        var completed = results.Select((r, index) => // results[i] is ran[i]
        {
            if (!SystemScenarios.Contains(r.Scenario))
            {
                var baseline = r with { RawPushesPerSecondRuns = NullIfEmpty(rawRuns), RawFetchPushesPerSecondRuns = NullIfEmpty(rawFetchRuns), PeerDeliveriesPerSecond = peer ?? r.PeerDeliveriesPerSecond };
                return o.Repeat > 1 ? baseline : baseline with
                {
                    RawPushesPerSecond = Mean(rawRuns) ?? r.RawPushesPerSecond,
                    RawFetchPushesPerSecond = Mean(rawFetchRuns) ?? r.RawFetchPushesPerSecond,
                    CpuPercent = Baselines.Contains(r.Scenario) ? Mean(RunsOf(ran, r.Scenario, b => b.CpuPercent)) : r.CpuPercent,
                };
            }
            var raw = o.Repeat > 1 ? Around(ran, index, "raw", b => b.RawPushesPerSecond) : rawRuns;
            var rawFetch = o.Repeat > 1 ? Around(ran, index, "raw-fetch", b => b.RawFetchPushesPerSecond) : rawFetchRuns;
            return r with
            {
                RawPushesPerSecond = Mean(raw),
                RawFetchPushesPerSecond = Mean(rawFetch),
                RawPushesPerSecondRuns = NullIfEmpty(raw),
                RawFetchPushesPerSecondRuns = NullIfEmpty(rawFetch),
                PeerDeliveriesPerSecond = peer ?? r.PeerDeliveriesPerSecond,
                RatioToRaw = r.DeliveriesPerSecond / Mean(raw),
                RatioToRawFetch = r.DeliveriesPerSecond / Mean(rawFetch),
            };
        }).ToList();
        if (o.Repeat > 1)
            completed.AddRange(o.Scenarios.Where(SystemScenarios.Contains).Distinct()
                .Select(s => Summary(s, completed.Where(r => r.Scenario == s).ToList(), rawRuns, rawFetchRuns, peer)));
        return completed;
    }

    /// <summary>A system scenario over its repetitions: mean rates (raw/s over all the baseline's runs, so deliv/s ÷ raw/s
    /// is not exactly the mean ratio), the spread of the ratios, total expiries and failures, the worst lateness and
    /// resident size.</summary>
    private static ScenarioResult Summary(string scenario, IReadOnlyList<ScenarioResult> repetitions, IReadOnlyList<double> rawRuns,
        IReadOnlyList<double> rawFetchRuns, double? peer)
    {
        var toRaw = RatioStatistics.Of(Values(repetitions, r => r.RatioToRaw));
        var toRawFetch = RatioStatistics.Of(Values(repetitions, r => r.RatioToRawFetch));
        return new ScenarioResult(scenario, repetitions[0].Nodes,
            DeliveriesPerSecond: MeanOf(repetitions, r => r.DeliveriesPerSecond),
            RawPushesPerSecond: Mean(rawRuns),
            RawFetchPushesPerSecond: Mean(rawFetchRuns),
            PeerDeliveriesPerSecond: peer,
            RawPushesPerSecondRuns: NullIfEmpty(rawRuns),
            RawFetchPushesPerSecondRuns: NullIfEmpty(rawFetchRuns),
            Expired: repetitions.Any(r => r.Expired is not null) ? repetitions.Sum(r => r.Expired ?? 0) : null,
            BytesPerNode: MeanOf(repetitions, r => r.BytesPerNode),
            P99LatenessMs: repetitions.Max(r => r.P99LatenessMs),
            ForceP99Ms: repetitions.Max(r => r.ForceP99Ms),
            ApiP99Ms: repetitions.Max(r => r.ApiP99Ms),
            PushFailures: repetitions.Any(r => r.PushFailures is not null) ? repetitions.Sum(r => r.PushFailures ?? 0) : null,
            CpuPercent: MeanOf(repetitions, r => r.CpuPercent),
            ResidentMb: repetitions.Max(r => r.ResidentMb),
            GcPausePercent: MeanOf(repetitions, r => r.GcPausePercent),
            AllocatedKbPerDelivery: MeanOf(repetitions, r => r.AllocatedKbPerDelivery),
            DemandPerSecond: repetitions[0].DemandPerSecond,
            Repeats: repetitions.Count,
            RatioToRaw: toRaw?.Mean,
            RatioToRawFetch: toRawFetch?.Mean,
            RatioToRawStatistics: toRaw,
            RatioToRawFetchStatistics: toRawFetch);
    }

    /// <summary>The rates of the nearest run of a baseline before <paramref name="index"/> and the nearest after it.</summary>
    private static List<double> Around(List<ScenarioResult> ran, int index, string baseline, Func<ScenarioResult, double?> rate)
    {
        var before = ran.Take(index).LastOrDefault(r => r.Scenario == baseline);
        var after = ran.Skip(index + 1).FirstOrDefault(r => r.Scenario == baseline);
        return new[] { before, after }.OfType<ScenarioResult>().Select(rate).OfType<double>().ToList();
    }

    private static List<double> RunsOf(List<ScenarioResult> ran, string scenario, Func<ScenarioResult, double?> rate) =>
        Values(ran.Where(r => r.Scenario == scenario), rate);

    /// <summary>The figure of each result that has it.</summary>
    private static List<double> Values(IEnumerable<ScenarioResult> results, Func<ScenarioResult, double?> figure) =>
        results.Select(figure).OfType<double>().ToList();

    private static double? MeanOf(IEnumerable<ScenarioResult> results, Func<ScenarioResult, double?> figure) => Mean(Values(results, figure));

    private static double? Mean(IReadOnlyList<double> values) => values.Count > 0 ? values.Average() : null;

    private static IReadOnlyList<double>? NullIfEmpty(IReadOnlyList<double> values) => values.Count > 0 ? values : null;

    public static void PrintTable(IReadOnlyList<ScenarioResult> results, TextWriter w)
    {
        static string F(double? v, string format = "0.0") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
        w.WriteLine($"{"scenario",-12} {"nodes",8} {"deliv/s",9} {"demand/s",9} {"raw/s",9} {"ratio",6} {"rawF/s",8} {"ratioF",6} {"peer/s",8} {"expired",8} {"B/node",7} {"heap B/n",8} {"p99 late ms",12} {"force p99",10} {"api p99",8} {"drain s",8} {"fails",6} {"cpu %",6} {"RSS MB",7} {"gc %",5} {"KB/deliv",8} {"jit %",5}");
        foreach (var r in results)
        {
            var name = r.Repeats is { } n ? $"{r.Scenario} ×{n}" : r.Repeat is { } k ? $"{r.Scenario}#{k}" : r.Scenario;
            w.WriteLine($"{name,-12} {r.Nodes,8} {F(r.DeliveriesPerSecond),9} {F(r.DemandPerSecond),9} {F(r.RawPushesPerSecond),9} {F(r.RatioToRaw, "0.00"),6} {F(r.RawFetchPushesPerSecond),8} {F(r.RatioToRawFetch, "0.00"),6} {F(r.PeerDeliveriesPerSecond),8} {r.Expired?.ToString() ?? "-",8} {F(r.BytesPerNode, "0"),7} {F(r.ProcessHeapBytesPerNode, "0"),8} {F(r.P99LatenessMs),12} {F(r.ForceP99Ms),10} {F(r.ApiP99Ms),8} {F(r.DrainSeconds),8} {r.PushFailures?.ToString() ?? "-",6} {F(r.CpuPercent),6} {F(r.ResidentMb, "0"),7} {F(r.GcPausePercent),5} {F(r.AllocatedKbPerDelivery),8} {F(r.JitPercent),5}");
        }
        var baseline = results.FirstOrDefault(r => Baselines.Contains(r.Scenario)) ?? results.FirstOrDefault();
        var repeated = results.Any(r => r.Repeats is not null);
        var rule = repeated
            ? "a repetition's raw/s and rawF/s are its own run (a baseline's) or the mean of the runs just before and just after it (a system scenario's)"
            : "every row's raw/s and rawF/s are the mean of all the runs";
        if (baseline?.RawPushesPerSecondRuns is { Count: > 1 } rawRuns) w.WriteLine($"raw/s runs in order: {Rates(rawRuns)}; {rule}");
        if (baseline?.RawFetchPushesPerSecondRuns is { Count: > 1 } rawFetchRuns) w.WriteLine($"rawF/s runs in order: {Rates(rawFetchRuns)}");
        foreach (var summary in results.Where(r => r.Repeats is not null))
        {
            w.WriteLine($"{summary.Scenario} over {summary.Repeats} repetitions: ratio to raw {Spread(summary.RatioToRawStatistics)}; " +
                $"to raw-fetch {Spread(summary.RatioToRawFetchStatistics)}");
        }
        if (repeated)
            w.WriteLine("a summary row (×N) holds means over its repetitions (raw/s over all the runs; ratio the mean of the repetitions' ratios), " +
                "the totals of expired and fails, and the worst p99 lateness and RSS");

        static string Rates(IEnumerable<double> runs) => string.Join(", ", runs.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)));
        static string Spread(RatioStatistics? s) => s is null ? "-" : string.Create(CultureInfo.InvariantCulture,
            $"mean {s.Mean:0.000}, 95 % confidence interval {s.Ci95Low:0.000}–{s.Ci95High:0.000}, range {s.Min:0.00}–{s.Max:0.00}");
    }
}
