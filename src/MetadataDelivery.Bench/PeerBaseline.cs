using System.Diagnostics;
using System.Text.Json;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace MetadataDelivery.Bench;

/// <summary>What a .NET team would build instead: Quartz.NET with its persistent ADO.NET job store (SQLite),
/// one repeating job per node that does the same fetch + envelope + sign + push + ack check.</summary>
public static class PeerBaseline
{
    private const string Secret = "peer-secret";

    public sealed record Target(Uri Fleet, string IssuerTemplate, TimeSpan Ttl);

    public static async Task<ScenarioResult> RunAsync(BenchOptions o, Action<string> log)
    {
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => [Secret]);
        fleet.RenewAt = o.RenewAt;
        await using var issuer = await IssuerSimulator.StartAsync(o.PayloadBytes, o.Ttl);
        var dir = Path.Combine(Path.GetTempPath(), "mds-bench-peer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var services = new ServiceCollection();
        services.AddHttpClient();
        services.AddSingleton(new Target(new Uri($"http://127.0.0.1:{fleet.Port}/v1/metadata"), issuer.Template, o.Ttl));
        services.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 64);
            q.UsePersistentStore(s =>
            {
                s.UseSqlite($"Data Source={Path.Combine(dir, "quartz.db")}");
                s.UseSystemTextJsonSerializer();
                s.ProvisionSchema();
            });
        });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            var interval = o.Ttl * o.RenewAt;
            var random = new Random(7);
            var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
            for (var i = 0; i < o.Nodes; i++)
            {
                var node = $"n{i:D7}";
                var job = JobBuilder.Create<PushJob>().WithIdentity(node).UsingJobData("node", node).Build();
                var trigger = TriggerBuilder.Create().WithIdentity(node)
                    .StartAt(DateTimeOffset.UtcNow + interval * random.NextDouble())
                    .WithSimpleSchedule(x => x.WithInterval(interval).RepeatForever()).Build();
                jobs[job] = [trigger];
            }
            await scheduler.ScheduleJobs(jobs);
            await scheduler.Start();
            log($"peer: {o.Nodes} Quartz jobs every {interval.TotalSeconds:0.#} s; warming up for one interval");
            await Task.Delay(interval);
            await JitWarmup.UntilJitSettlesAsync("peer", o.MaxWarmup, log);
            var start = fleet.Accepted;
            var clock = Stopwatch.StartNew();
            await Task.Delay(o.Duration);
            var rate = (fleet.Accepted - start) / clock.Elapsed.TotalSeconds;
            log($"peer: {rate:0.0} deliveries/s (demand {o.Nodes / interval.TotalSeconds:0.0}/s)");
            // Expired: renewals that came after the held item had expired, plus nodes holding an expired item
            // (or none) at the end, so a peer that cannot keep up is not credited for renewals it never made.
            var now = DateTimeOffset.UtcNow;
            var stale = fleet.Held.Values.Count(h => h.ExpiresAt < now) + (o.Nodes - fleet.Held.Count);
            return new ScenarioResult("peer", o.Nodes, PeerDeliveriesPerSecond: rate, Expired: fleet.LateArrivals + stale,
                P99LatenessMs: Percentiles.Of(fleet.LatenessMs, 99));
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>The job: fetch, envelope, sign, push, check the ack (failures are simply retried at the next firing).</summary>
    public sealed class PushJob(IHttpClientFactory clients, Target target) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
        {
            var node = context.MergedJobDataMap.GetString("node")!;
            var http = clients.CreateClient();
            var payload = await http.GetByteArrayAsync(target.IssuerTemplate.Replace("{service}", "peer").Replace("{node}", node), ct);
            var now = DateTimeOffset.UtcNow;
            var item = new MetadataItem(payload, "application/octet-stream", now, now + target.Ttl);
            var body = Envelope.SerializeToUtf8("peer", "peer", node, Guid.NewGuid().ToString("N"), item);
            using var request = SignedPush.Create(target.Fleet, body, Secret);
            using var response = await http.SendAsync(request, ct);
            using var ack = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            if (!response.IsSuccessStatusCode || ack.RootElement.GetProperty("version").GetString() != item.Version)
                throw new JobExecutionException($"push to {node} not acknowledged");
        }
    }
}
