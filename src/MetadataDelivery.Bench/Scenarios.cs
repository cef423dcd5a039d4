using System.Diagnostics;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Fleet;

namespace MetadataDelivery.Bench;

/// <summary>The scenarios. Each starts its own environment, so runs do not disturb one another.</summary>
public static class Scenarios
{
    public static Task<ScenarioResult> RunAsync(string scenario, BenchOptions o, Action<string> log) => scenario switch
    {
        "steady" => SteadyAsync(o, log, force: false),
        "force" => SteadyAsync(o, log, force: true),
        "rotation" => RotationAsync(o, log),
        "raw" => RawAsync(o, log, fetch: false),
        "raw-fetch" => RawAsync(o, log, fetch: true),
        "peer" => PeerBaseline.RunAsync(o, log),
        _ => throw new ArgumentException(scenario),
    };

    /// <summary>Demand beyond this multiple of the delivered rate makes a saturation run measure expiry handling as much as delivery.</summary>
    private const double DeepOverload = 1.5;

    private static TimeSpan FanOutTimeout(BenchOptions o) => TimeSpan.FromSeconds(Math.Max(120, o.Nodes / 200.0));

    /// <summary>N nodes kept fresh for the duration, measured after the initial fan-out; with force, forced
    /// deliveries run one after another meanwhile.</summary>
    private static async Task<ScenarioResult> SteadyAsync(BenchOptions o, Action<string> log, bool force)
    {
        await using var env = await BenchEnvironment.StartAsync(o);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var registration = await env.RegisterAsync(o.Services, o.Nodes, o, log);
        log($"registered {o.Services} services, {o.Nodes} nodes in {registration.Seconds:0.0} s ({registration.PerSecond:0.0}/s, p50 {registration.P50Ms:0} ms, p99 {registration.P99Ms:0} ms); waiting for the fan-out");
        await BenchEnvironment.WaitAsync(() => Task.FromResult(env.Fleet.Held.Count >= o.Nodes), FanOutTimeout(o));
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        log("fan-out done; warming up");
        await JitWarmup.UntilJitSettlesAsync(force ? "force" : "steady", o.MaxWarmup, log);

        var jitStart = System.Runtime.JitInfo.GetCompilationTime();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var gcPauseStart = GC.GetTotalPauseDuration();
        var allocatedStart = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var acceptedStart = env.Fleet.Accepted;
        var fetchesStart = env.Issuer.Fetches;
        var rejectedStart = env.Fleet.Rejected;
        var latenessStart = env.Fleet.LatenessMs.Count;
        var lateStart = env.Fleet.LateArrivals;
        var firstSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1; // the first whole second of the window
        log($"measuring for {o.Duration.TotalSeconds:0} s");
        var forced = force ? ForceLoopAsync(env, o, clock, o.Duration) : Task.FromResult(new List<double>());
        await Task.Delay(o.Duration);
        var forceLatencies = await forced;
        var elapsed = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var lastSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var lateness = env.Fleet.LatenessMs.Skip(latenessStart).ToList();
        var series = Enumerable.Range(0, (int)(lastSecond - firstSecond)).Select(i => env.Fleet.AcceptedPerSecond.GetValueOrDefault(firstSecond + i)).ToList();
        var rate = (env.Fleet.Accepted - acceptedStart) / elapsed;
        // Work that delivered nothing: fetches beyond one per accepted push, pushes the fleet refused.
        log($"window: {env.Fleet.Accepted - acceptedStart} pushes accepted, {env.Issuer.Fetches - fetchesStart} fetches, {env.Fleet.Rejected - rejectedStart} pushes refused");
        if (rate >= 0.95 * o.MaxPushesPerSecond)
            log($"note: {rate:0}/s is at the member's push throttle ({o.MaxPushesPerSecond}/s): this run measured the limit, not the machine; raise --max-pushes to measure capacity");
        var renewalPeriod = o.Ttl.TotalSeconds * o.RenewAt;
        var demand = o.Nodes / renewalPeriod;
        if (elapsed < renewalPeriod)
            log($"note: the window ({elapsed:0} s) is shorter than one renewal period ({renewalPeriod:0} s): it sees only part of the renewals, " +
                "so the rate is below the demand by design; for a sustained rate make --duration at least --ttl × --renew-at");
        else if (demand > DeepOverload * rate)
            log($"note: the nodes ask for {demand:0} renewals/s, {demand / rate:0.0}× the {rate:0}/s delivered: the backlog grows and items expire, so the rate includes " +
                $"the expiries' bookkeeping; for the machine's capacity choose --nodes so that the demand is 1.1–{DeepOverload:0.0}× the rate");
        return new ScenarioResult(force ? "force" : "steady", o.Nodes,
            DeliveriesPerSecond: rate,
            Expired: env.Fleet.LateArrivals - lateStart + await env.ExpiredNodesAsync(),
            BytesPerNode: env.Metrics.NodeStateBytesTotal / (double)o.Nodes, // what the partitions hold for their nodes, as they last reported it (≤ 1 s ago)
            ProcessHeapBytesPerNode: (heapAfter - heapBefore) / (double)o.Nodes,
            P50LatenessMs: Percentiles.Of(lateness, 50),
            P99LatenessMs: Percentiles.Of(lateness, 99),
            ForceP50Ms: force ? Percentiles.Of(forceLatencies, 50) : null,
            ForceP99Ms: force ? Percentiles.Of(forceLatencies, 99) : null,
            PushFailures: env.Metrics.FailedTotal,
            CpuPercent: MachineShare.Percent(process.TotalProcessorTime - cpuStart, elapsed),
            ResidentMb: process.WorkingSet64 / 1024.0 / 1024.0,
            GcPausePercent: (GC.GetTotalPauseDuration() - gcPauseStart).TotalSeconds / elapsed * 100,
            AllocatedKbPerDelivery: (GC.GetTotalAllocatedBytes() - allocatedStart) / 1024.0 / Math.Max(1, env.Fleet.Accepted - acceptedStart),
            JitPercent: JitWarmup.PercentOfMachine(jitStart, elapsed),
            DemandPerSecond: demand,
            DeliveriesPerSecondSeries: series,
            LatenessSamples: lateness,
            RegistrationPerSecond: registration.PerSecond,
            RegistrationP99Ms: registration.P99Ms);
    }

    private static async Task<List<double>> ForceLoopAsync(BenchEnvironment env, BenchOptions o, Stopwatch clock, TimeSpan duration)
    {
        var latencies = new List<double>();
        var random = new Random(42);
        for (var i = 0; i < o.ForceSamples && clock.Elapsed < duration; i++)
        {
            var service = env.ServiceNames[random.Next(env.ServiceNames.Count)];
            var node = $"n{random.Next(o.Nodes / o.Services):D7}";
            var started = Stopwatch.GetTimestamp();
            using var response = await env.Tenant.PostAsync($"/v1/services/{service}/nodes/{node}/deliveries?wait=PT10S", null);
            if (response.IsSuccessStatusCode) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return latencies;
    }

    /// <summary>All N nodes due at once: time to drain, API latency during the peak, failures caused by overload.</summary>
    private static async Task<ScenarioResult> RotationAsync(BenchOptions o, Action<string> log)
    {
        await using var env = await BenchEnvironment.StartAsync(o);
        var clock = Stopwatch.StartNew();
        await env.RegisterAsync(o.Services, o.Nodes, o, log);
        var apiLatencies = new List<double>();
        using var drained = new CancellationTokenSource();
        var pinger = Task.Run(async () =>
        {
            while (!drained.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using var r = await env.Tenant.GetAsync($"/v1/services/{env.ServiceNames[0]}");
                apiLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(20);
            }
        });
        await BenchEnvironment.WaitAsync(() => Task.FromResult(env.Fleet.Held.Count >= o.Nodes), FanOutTimeout(o));
        var drain = clock.Elapsed.TotalSeconds;
        drained.Cancel();
        await pinger;
        log($"rotation of {o.Nodes} nodes drained in {drain:0.0} s");
        return new ScenarioResult("rotation", o.Nodes, DeliveriesPerSecond: o.Nodes / drain, DrainSeconds: drain,
            ApiP99Ms: Percentiles.Of(apiLatencies, 99), PushFailures: env.Metrics.FailedTotal,
            Expired: env.Fleet.LateArrivals + await env.ExpiredNodesAsync());
    }

    /// <summary>The ceiling: signed envelopes pushed by a plain HttpClient loop, as many in flight as the pipeline
    /// allows; no actors, no persistence. With <paramref name="fetch"/>, each push is preceded by the GET of its payload
    /// from the issuer simulator, as the system must do: the ceiling of the whole fetch + sign + push job.</summary>
    private static async Task<ScenarioResult> RawAsync(BenchOptions o, Action<string> log, bool fetch)
    {
        const string secret = "raw-secret";
        var name = fetch ? "raw-fetch" : "raw";
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => [secret]);
        await using var issuer = fetch ? await IssuerSimulator.StartAsync(o.PayloadBytes, o.Ttl) : null;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.MaxInFlight });
        var target = new Uri($"http://127.0.0.1:{fleet.Port}/v1/metadata");
        var payload = new byte[o.PayloadBytes];
        var nodes = o.Nodes;
        // The workers cycle over the nodes until stopped, bounded by 1,001 passes. The window opens after one pass
        // and the JIT's warm-up, like the steady scenario's.
        var limit = (long)nodes * 1001;
        long next = -1;
        var stop = false;
        async Task Worker()
        {
            long i;
            while (!Volatile.Read(ref stop) && (i = Interlocked.Increment(ref next)) < limit)
            {
                var now = DateTimeOffset.UtcNow;
                var node = $"n{i % nodes:D7}";
                var bytes = issuer is null ? payload : await http.GetByteArrayAsync($"http://127.0.0.1:{issuer.Port}/certs/raw/{node}");
                var item = new MetadataItem(bytes, "application/octet-stream", now, now + o.Ttl);
                var body = Envelope.SerializeToUtf8("raw", "raw", node, Guid.NewGuid().ToString("N"), item);
                using var request = SignedPush.Create(target, body, secret);
                using var response = await http.SendAsync(request);
            }
        }
        var workers = Task.WhenAll(Enumerable.Range(0, o.MaxInFlight).Select(_ => Task.Run(Worker)));
        while (Interlocked.Read(ref next) < nodes && !workers.IsCompleted) await Task.Delay(50);
        await JitWarmup.UntilJitSettlesAsync(name, o.MaxWarmup, log);

        var acceptedAtStart = fleet.Accepted;
        var process = Process.GetCurrentProcess();
        var cpuAtStart = process.TotalProcessorTime;
        var allocatedAtStart = GC.GetTotalAllocatedBytes();
        var gcPauseAtStart = GC.GetTotalPauseDuration();
        var jitAtStart = System.Runtime.JitInfo.GetCompilationTime();
        var window = Stopwatch.StartNew();
        await Task.WhenAny(Task.Delay(o.Duration), workers);
        var elapsed = window.Elapsed.TotalSeconds;
        var pushed = fleet.Accepted - acceptedAtStart;
        var allocatedKb = (GC.GetTotalAllocatedBytes() - allocatedAtStart) / 1024.0 / Math.Max(1, pushed);
        var gcPause = (GC.GetTotalPauseDuration() - gcPauseAtStart).TotalSeconds / elapsed * 100;
        var jit = JitWarmup.PercentOfMachine(jitAtStart, elapsed);
        process.Refresh();
        // Whether the ceiling is the CPU: a baseline well under 100 % is limited by something else.
        var cpu = MachineShare.Percent(process.TotalProcessorTime - cpuAtStart, elapsed);
        Volatile.Write(ref stop, true);
        await workers;

        var rate = pushed / elapsed;
        log($"{name}: {pushed} pushes in {elapsed:0.0} s after a warm-up");
        return fetch
            ? new ScenarioResult("raw-fetch", o.Nodes, RawFetchPushesPerSecond: rate, CpuPercent: cpu, GcPausePercent: gcPause, AllocatedKbPerDelivery: allocatedKb, JitPercent: jit)
            : new ScenarioResult("raw", o.Nodes, RawPushesPerSecond: rate, CpuPercent: cpu, GcPausePercent: gcPause, AllocatedKbPerDelivery: allocatedKb, JitPercent: jit);
    }
}
