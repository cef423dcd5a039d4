using System.Text.Json;
using MetadataDelivery.Bench;

namespace MetadataDelivery.IntegrationTests;

/// <summary>A short run of every bench scenario: it completes and reports each figure. Timing is not asserted
/// here (performance is measured by the bench tool itself, see docs/benchmarks.md).</summary>
public sealed class BenchSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_scenario_runs_and_reports()
    {
        var options = BenchOptions.Parse(["--scenario", "all", "--nodes", "300", "--services", "3", "--duration", "4s", "--ttl", "6s", "--force-samples", "5", "--max-warmup", "2s"]);
        var results = await BenchRunner.RunAsync(options, output.WriteLine);
        var byName = results.ToDictionary(r => r.Scenario);
        Assert.Equal(["raw", "raw-fetch", "peer", "rotation", "steady", "force"], results.Select(r => r.Scenario));
        Assert.True(byName["raw"].RawPushesPerSecond > 0);
        Assert.True(byName["raw-fetch"].RawFetchPushesPerSecond > 0);
        // The baselines ran again after the system; the ratios use the mean of the two measurements.
        Assert.Equal(2, byName["raw"].RawPushesPerSecondRuns!.Count);
        Assert.Equal(byName["raw"].RawPushesPerSecondRuns!.Average(), byName["raw"].RawPushesPerSecond!.Value, 6);
        Assert.Equal(2, byName["raw-fetch"].RawFetchPushesPerSecondRuns!.Count);
        Assert.Equal(byName["raw-fetch"].RawFetchPushesPerSecondRuns!.Average(), byName["raw-fetch"].RawFetchPushesPerSecond!.Value, 6);
        Assert.True(byName["peer"].PeerDeliveriesPerSecond > 0);
        Assert.Equal(byName["peer"].PeerDeliveriesPerSecond, byName["steady"].PeerDeliveriesPerSecond);
        Assert.True(byName["rotation"].DrainSeconds > 0);
        Assert.NotNull(byName["rotation"].ApiP99Ms);
        Assert.Equal(0, byName["rotation"].PushFailures);
        foreach (var name in new[] { "rotation", "steady", "force" })
        {
            Assert.True(byName[name].DeliveriesPerSecond > 0, name);
            Assert.Equal(0, byName[name].Expired);
            Assert.Equal(byName["raw"].RawPushesPerSecond, byName[name].RawPushesPerSecond);
            Assert.Equal(byName["raw-fetch"].RawFetchPushesPerSecond, byName[name].RawFetchPushesPerSecond);
        }
        // The partitions reported their node state. Three services of 100 nodes are the product's shape (10M nodes over
        // 100k services): 177 bytes a node measured; whole first pages held 1,413 and pages doubled into 230. The
        // margin over the 200-byte target is for schedule heaps, whose stale entries depend on timing.
        Assert.InRange(byName["steady"].BytesPerNode!.Value, 100, 210);
        Assert.Equal(100, byName["steady"].DemandPerSecond!.Value, 6); // 300 nodes renewed every 6 s × 0.5
        Assert.NotNull(byName["steady"].ProcessHeapBytesPerNode);
        Assert.NotNull(byName["steady"].P99LatenessMs);
        Assert.NotEmpty(byName["steady"].DeliveriesPerSecondSeries!);
        Assert.NotNull(byName["force"].ForceP99Ms);
        foreach (var name in new[] { "raw", "raw-fetch", "steady", "force" })
        {
            Assert.True(byName[name].JitPercent >= 0, $"{name} reports the JIT's share of its window");
            Assert.True(byName[name].CpuPercent > 0, $"{name} reports the process's CPU over its window");
        }

        var json = JsonSerializer.Serialize(results, BenchRunner.Json);
        foreach (var field in new[] { "deliveriesPerSecond", "rawPushesPerSecond", "rawFetchPushesPerSecond", "peerDeliveriesPerSecond", "expired", "bytesPerNode", "p99LatenessMs", "forceP99Ms", "apiP99Ms" })
            Assert.Contains($"\"{field}\"", json);
        var plots = Path.Combine(Path.GetTempPath(), "mds-bench-plots-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var written = Plots.Write(results, plots);
            Assert.Contains(written, p => p.EndsWith("steady-deliveries.png") && new FileInfo(p).Length > 1000);
            Assert.Contains(written, p => p.EndsWith("steady-lateness.png"));
        }
        finally { Directory.Delete(plots, recursive: true); }

        Assert.Contains("\"rawPushesPerSecondRuns\"", json);

        var table = new StringWriter();
        BenchRunner.PrintTable(results, table);
        output.WriteLine(table.ToString());
        Assert.Contains("steady", table.ToString());
        Assert.Contains("raw/s runs in order", table.ToString());
        Assert.Equal(byName["steady"].DeliveriesPerSecond / byName["steady"].RawPushesPerSecond, byName["steady"].RatioToRaw);
        Assert.Equal(byName["steady"].DeliveriesPerSecond / byName["steady"].RawFetchPushesPerSecond, byName["steady"].RatioToRawFetch);
    }

    [Fact]
    public async Task Repeated_runs_take_each_ratio_from_the_baselines_around_it_and_summarise_the_spread()
    {
        var options = BenchOptions.Parse(["--scenario", "raw,peer,steady", "--repeat", "2", "--nodes", "60", "--services", "2", "--duration", "2s", "--ttl", "6s", "--max-warmup", "1s"]);
        var results = await BenchRunner.RunAsync(options, output.WriteLine);

        // The peer runs in the first repetition only; the summary comes last.
        Assert.Equal(["raw#1", "peer#1", "steady#1", "raw#2", "steady#2", "steady×2"],
            results.Select(r => r.Repeats is { } n ? $"{r.Scenario}×{n}" : $"{r.Scenario}#{r.Repeat}"));
        var raw = results[0].RawPushesPerSecondRuns!;
        Assert.Equal(3, raw.Count); // before each repetition, and once more after the last
        var (first, second, summary) = (results[2], results[4], results[5]);
        Assert.Equal([raw[0], raw[1]], first.RawPushesPerSecondRuns!);
        Assert.Equal([raw[1], raw[2]], second.RawPushesPerSecondRuns!);
        Assert.Equal(first.DeliveriesPerSecond!.Value / ((raw[0] + raw[1]) / 2), first.RatioToRaw!.Value, 9);
        Assert.Equal(second.DeliveriesPerSecond!.Value / ((raw[1] + raw[2]) / 2), second.RatioToRaw!.Value, 9);
        Assert.Null(first.RatioToRawFetch); // no raw-fetch baseline in this run
        Assert.All(results, r => Assert.Equal(results[1].PeerDeliveriesPerSecond, r.PeerDeliveriesPerSecond));
        Assert.Equal(raw[0], results[0].RawPushesPerSecond); // a repetition's baseline shows its own run
        Assert.Equal(raw[1], results[3].RawPushesPerSecond);
        Assert.Null(results[1].RatioToRaw); // the peer is a baseline, not a system scenario

        var spread = summary.RatioToRawStatistics!;
        Assert.Equal(2, spread.Runs);
        Assert.Equal((first.RatioToRaw!.Value + second.RatioToRaw!.Value) / 2, spread.Mean, 9);
        Assert.Equal(spread.Mean, summary.RatioToRaw);
        Assert.True(spread.Ci95Low <= spread.Min && spread.Max <= spread.Ci95High);
        Assert.Equal((first.DeliveriesPerSecond!.Value + second.DeliveriesPerSecond!.Value) / 2, summary.DeliveriesPerSecond!.Value, 9);
        Assert.Equal(first.Expired + second.Expired, summary.Expired);

        var table = new StringWriter();
        BenchRunner.PrintTable(results, table);
        output.WriteLine(table.ToString());
        Assert.Contains("steady#2", table.ToString());
        Assert.Contains("steady over 2 repetitions: ratio to raw mean", table.ToString());
        Assert.Contains("\"ratioToRawStatistics\"", JsonSerializer.Serialize(results, BenchRunner.Json));

        var plots = Path.Combine(Path.GetTempPath(), "mds-bench-plots-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var written = Plots.Write(results, plots);
            Assert.Contains(written, p => p.EndsWith("steady-1-deliveries.png"));
            Assert.Contains(written, p => p.EndsWith("steady-2-deliveries.png"));
        }
        finally { Directory.Delete(plots, recursive: true); }
    }

    [Fact]
    public async Task Baselines_run_once_when_no_system_scenario_follows_them_or_when_told_not_to_rerun()
    {
        foreach (var args in new[] { new[] { "--scenario", "steady,raw" }, ["--scenario", "raw,steady", "--no-rerun-baselines"] })
        {
            var options = BenchOptions.Parse([.. args, "--nodes", "60", "--services", "2", "--duration", "2s", "--ttl", "6s", "--max-warmup", "1s"]);
            var results = await BenchRunner.RunAsync(options, output.WriteLine);
            var raw = Assert.Single(results, r => r.Scenario == "raw");
            Assert.Single(raw.RawPushesPerSecondRuns!);
            Assert.All(results, r => Assert.Equal(raw.RawPushesPerSecondRuns![0], r.RawPushesPerSecond));
        }
    }

    [Fact]
    public async Task A_baseline_already_run_after_the_last_system_scenario_is_not_run_again()
    {
        var options = BenchOptions.Parse(["--scenario", "steady,raw", "--repeat", "2", "--nodes", "60", "--services", "2", "--duration", "2s", "--ttl", "6s", "--max-warmup", "1s"]);
        var results = await BenchRunner.RunAsync(options, output.WriteLine);
        var raw = results.First(r => r.Scenario == "raw").RawPushesPerSecondRuns!;
        Assert.Equal(2, raw.Count); // one per repetition, none more
        var steady = results.Where(r => r.Scenario == "steady" && r.Repeat is not null).ToList();
        Assert.Equal([raw[0]], steady[0].RawPushesPerSecondRuns!); // nothing ran before it; the raw just after it
        Assert.Equal([raw[0], raw[1]], steady[1].RawPushesPerSecondRuns!); // between the two
    }

    [Fact]
    public void Plots_handle_a_window_where_every_renewal_was_on_time()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mds-bench-plots-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var written = Plots.Write([new ScenarioResult("steady", 10, DeliveriesPerSecondSeries: [5, 5], LatenessSamples: [0, 0, 0])], dir);
            Assert.Equal(2, written.Count);
            Assert.All(written, p => Assert.True(new FileInfo(p).Length > 1000));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bad_arguments_are_refused_with_a_message()
    {
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--scenario", "warp"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--nodes"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--duration", "soon"]));
        Assert.Contains("--ttl must be between 5s", Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--ttl", "2s"])).Message);
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--renew-at", "1.5"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--max-concurrency", "0"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--duration", "0s"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--max-pushes", "-1"]));
        Assert.Equal(TimeSpan.FromSeconds(60), BenchOptions.Parse(["--duration", "60s"]).Duration);
        Assert.Equal(TimeSpan.FromMinutes(1), BenchOptions.Parse(["--ttl", "PT1M"]).Ttl);
        Assert.Equal(TimeSpan.FromSeconds(5), BenchOptions.Parse(["--max-warmup", "5s"]).MaxWarmup);
        Assert.True(BenchOptions.Parse([]).RerunBaselines);
        Assert.False(BenchOptions.Parse(["--no-rerun-baselines"]).RerunBaselines);
        Assert.Equal(1, BenchOptions.Parse([]).Repeat);
        Assert.Equal(5, BenchOptions.Parse(["--repeat", "5"]).Repeat);
        Assert.Contains("--repeat must be between 1 and 100", Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--repeat", "0"])).Message);
        Assert.Contains("list each scenario once", Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--scenario", "raw,steady,steady", "--repeat", "2"])).Message);
        Assert.Equal(2, BenchOptions.Parse(["--scenario", "steady,steady"]).Scenarios.Count); // one repetition: as before
    }
}
