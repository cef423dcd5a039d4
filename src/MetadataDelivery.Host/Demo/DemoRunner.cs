using System.Text.Json;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;
using MetadataDelivery.Fleet;
using MetadataDelivery.Host.Api;
using MetadataDelivery.Host.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Host.Demo;

/// <summary>Starts a simulated fleet on loopback, onboards a demo tenant and service on builtin:ca (through
/// the same actors the API uses), and prints a live progress line.</summary>
public sealed class DemoRunner(
    IOptions<DemoOptions> demoOptions, IOptions<MdsOptions> mdsOptions, ICatalogStore catalog, ServiceClient services,
    MdsMetrics metrics, TimeProvider time, ILogger<DemoRunner> log, IHostApplicationLifetime lifetime, IServer server) : BackgroundService
{
    private volatile IReadOnlyList<string> _secrets = [];

    public static string TenantKeyFile(string fullDataDir) => Path.Combine(fullDataDir, "demo", "tenant.key");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = demoOptions.Value;
        if (!demo.Enabled) return;
        await WaitForStartAsync(stoppingToken);
        var dir = Path.Combine(mdsOptions.Value.FullDataDir, "demo");
        Directory.CreateDirectory(dir);
        var key = new ServiceKey(demo.Tenant, demo.Service);

        await using var fleet = await FleetSimulator.StartAsync(demo.FleetPort, ServiceSpecValidator.DefaultPath,
            (t, s) => t == key.Tenant && s == key.Service ? _secrets : []);
        var mapPath = Path.Combine(dir, "nodes.json");
        await WriteNodeMapAsync(mapPath, demo.Nodes, fleet.Port);
        await EnsureTenantAsync(demo.Tenant, dir);
        if (!await EnsureServiceAsync(key, demo, mapPath, stoppingToken)) return;

        var api = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:8080";
        // The key itself stays in its file: a log line is scrollback and CI output.
        log.LogInformation("Demo: {Nodes} simulated nodes on 127.0.0.1:{Port}; tenant '{Tenant}' key in {KeyFile}; try: curl -H \"Authorization: Bearer $(cat {KeyFile})\" {Api}/v1/services/{Service}",
            demo.Nodes, fleet.Port, demo.Tenant, Path.Combine(dir, "tenant.key"), Path.Combine(dir, "tenant.key"), api, demo.Service);
        await ReportProgressAsync(key, fleet, demo.ProgressInterval, stoppingToken);
    }

    private async Task WaitForStartAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }

    private static async Task WriteNodeMapAsync(string path, int nodes, int port)
    {
        var map = new { nodes = Enumerable.Range(1, nodes).Select(i => new { id = $"node-{i:D4}", address = $"127.0.0.1:{port}" }) };
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(map));
        File.Move(tmp, path, overwrite: true);
    }

    private async Task<string> EnsureTenantAsync(string tenant, string dir)
    {
        var keyFile = Path.Combine(dir, "tenant.key");
        if (await catalog.TenantExistsAsync(tenant) && File.Exists(keyFile)) return (await File.ReadAllTextAsync(keyFile)).Trim();
        var apiKey = ApiKeys.NewTenantKey();
        if (!await catalog.CreateTenantAsync(tenant, ApiKeys.Hash(apiKey), time.GetUtcNow()))
            await catalog.AddTenantKeyAsync(tenant, ApiKeys.Hash(apiKey), time.GetUtcNow());
        SecretFile.Write(keyFile, apiKey);
        return apiKey;
    }

    private async Task<bool> EnsureServiceAsync(ServiceKey key, DemoOptions demo, string mapPath, CancellationToken ct)
    {
        var request = new ServiceRequest(key.Service, new Uri(mapPath).AbsoluteUri,
            new MetadataRequest(ServiceSpecValidator.BuiltinCa, demo.Ttl, demo.RenewAt, null), new DeliveryRequest("http", 7070, null, 256));
        var (spec, errors) = ServiceSpecValidator.Validate(request, ServiceEndpoints.ValidationOptions(mdsOptions.Value));
        if (spec is null) { log.LogError("Demo service is invalid: {Errors}", errors); return false; }

        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            var (reply, error) = await services.AskAsync(new RegisterService(key, spec), ct: ct);
            if (error is null && reply is ServiceRegisteredReply r) { _secrets = [r.DeliverySecret]; return true; }
            if (error is null && reply is ServiceAlreadyExists)
            {
                // The fleet port may have changed since the last run: re-read the rewritten map now.
                await services.AskAsync(new SyncNodeMap(key), ct: ct);
                var (secrets, secretsError) = await services.AskAsync(new GetDeliverySecrets(key), ct: ct);
                if (secretsError is null && secrets is DeliverySecrets s) { _secrets = s.Secrets; return true; }
            }
            log.LogInformation("Demo: waiting for the cluster to accept the demo service (attempt {Attempt})", attempt);
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return false;
    }

    private async Task ReportProgressAsync(ServiceKey key, FleetSimulator fleet, TimeSpan interval, CancellationToken ct)
    {
        var lastAcked = metrics.AckedTotal;
        var lastAt = time.GetTimestamp();
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var acked = metrics.AckedTotal;
                var rate = (acked - lastAcked) / time.GetElapsedTime(lastAt).TotalSeconds;
                lastAcked = acked; lastAt = time.GetTimestamp();
                var c = metrics.NodeCountsOf(key);
                Console.WriteLine($"[demo] nodes {c.Total}: fresh {c.Delivered}, pending {c.Pending}, retrying {c.Retrying}, expired {c.Expired} | {rate,7:0.0} deliveries/s | acked {acked}, failed {metrics.FailedTotal} | fleet holds {fleet.Held.Count}");
            }
        }
        catch (OperationCanceledException) { }
    }
}
