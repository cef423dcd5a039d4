using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Fleet;
using MetadataDelivery.Host;

namespace MetadataDelivery.Bench;

/// <summary>A member (in this process, embedded SQLite), a fleet simulator and an issuer simulator on loopback,
/// a tenant, and services whose file node maps point every node at the fleet.</summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly Dictionary<string, IReadOnlyList<string>> _secrets = new();
    private WebApplication _host = null!;
    public FleetSimulator Fleet { get; private set; } = null!;
    public IssuerSimulator Issuer { get; private set; } = null!;
    public HttpClient Tenant { get; private set; } = null!;
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "mds-bench", Guid.NewGuid().ToString("N")[..8]);
    public MdsMetrics Metrics => _host.Services.GetRequiredService<MdsMetrics>();
    public List<string> ServiceNames { get; } = [];

    public static async Task<BenchEnvironment> StartAsync(BenchOptions o)
    {
        var env = new BenchEnvironment();
        Directory.CreateDirectory(env.DataDir);
        env.Fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (t, s) => { lock (env._secrets) return env._secrets.GetValueOrDefault($"{t}/{s}") ?? []; });
        env.Fleet.RenewAt = o.RenewAt;
        env.Issuer = await IssuerSimulator.StartAsync(o.PayloadBytes, o.Ttl);
        var httpPort = FreePort();
        env._host = MdsHost.Build([
            $"--urls=http://127.0.0.1:{httpPort}", $"--Mds:DataDir={env.DataDir}", "--Mds:AdminKey=bench-admin",
            $"--Mds:Cluster:Port={FreePort()}", "--Mds:Api:RateLimitPerSecond=1000000", "--Mds:Api:RateLimitBurst=1000000",
            $"--Mds:Delivery:MaxInFlight={o.MaxInFlight}", $"--Mds:Delivery:MaxPushesPerSecond={o.MaxPushesPerSecond}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Akka=Warning",
        ]);
        await env._host.StartAsync();
        var api = new Uri($"http://127.0.0.1:{httpPort}");
        using var admin = new HttpClient { BaseAddress = api };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", "bench-admin");
        await WaitAsync(async () => (await admin.GetAsync("/healthz/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        var tenant = await (await admin.PostAsJsonAsync("/v1/tenants", new { name = "bench" })).Content.ReadFromJsonAsync<JsonObject>();
        env.Tenant = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(2) };
        env.Tenant.DefaultRequestHeaders.Authorization = new("Bearer", tenant!["apiKey"]!.GetValue<string>());
        return env;
    }

    /// <summary>Registers <paramref name="services"/> services sharing <paramref name="nodes"/> nodes, all due at once, through
    /// the API with <c>--register-concurrency</c> requests in flight; the first services deliver while later ones register,
    /// as a customer onboarding a fleet would see it. Reports the rate and each registration's latency.</summary>
    public async Task<RegistrationStats> RegisterAsync(int services, int nodes, BenchOptions o, Action<string> log)
    {
        var perService = nodes / services;
        var latencies = new double[services];
        var next = -1;
        var done = 0;
        var clock = Stopwatch.StartNew();
        var progressEvery = Math.Max(1, services / 10);
        async Task WorkerAsync()
        {
            for (var s = Interlocked.Increment(ref next); s < services; s = Interlocked.Increment(ref next))
            {
                var name = $"bench-{s:D3}";
                var count = s == services - 1 ? nodes - perService * (services - 1) : perService;
                var map = Path.Combine(DataDir, name + ".json");
                var json = new JsonObject { ["nodes"] = new JsonArray(Enumerable.Range(0, count).Select(n => (JsonNode)new JsonObject { ["id"] = $"n{n:D7}", ["address"] = $"127.0.0.1:{Fleet.Port}" }).ToArray()) };
                await File.WriteAllTextAsync(map, json.ToJsonString());
                var started = Stopwatch.GetTimestamp();
                var response = await Tenant.PostAsJsonAsync("/v1/services", new
                {
                    name, nodeMap = new Uri(map).AbsoluteUri,
                    metadata = new { source = Issuer.Template, ttl = System.Xml.XmlConvert.ToString(o.Ttl), renewAt = o.RenewAt },
                    delivery = new { maxConcurrency = o.MaxConcurrency },
                });
                latencies[s] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var body = await response.Content.ReadFromJsonAsync<JsonObject>();
                if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"register {name}: {(int)response.StatusCode} {body}");
                lock (_secrets)
                {
                    _secrets[$"bench/{name}"] = [body!["deliverySecret"]!.GetValue<string>()];
                    ServiceNames.Add(name);
                }
                var registered = Interlocked.Increment(ref done);
                if (registered % progressEvery == 0)
                    log($"registered {registered}/{services} services, {registered / clock.Elapsed.TotalSeconds:0.0}/s so far");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(o.RegisterConcurrency, services)).Select(_ => Task.Run(WorkerAsync)));
        var seconds = clock.Elapsed.TotalSeconds;
        return new RegistrationStats(services, seconds, services / seconds, Percentiles.Of(latencies, 50)!.Value, Percentiles.Of(latencies, 99)!.Value);
    }

    public async Task<long> ExpiredNodesAsync()
    {
        long expired = 0;
        foreach (var name in ServiceNames)
            expired += (await Tenant.GetFromJsonAsync<JsonObject>($"/v1/services/{name}"))!["nodes"]!["expired"]!.GetValue<long>();
        return expired;
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not within {timeout}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        Tenant?.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        await Fleet.DisposeAsync();
        await Issuer.DisposeAsync();
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
