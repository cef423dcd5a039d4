using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MetadataDelivery.IntegrationTests;

/// <summary>A partition's delivery workers: reused while it has attempts to run, none kept once it is quiet.</summary>
public sealed class DeliveryWorkerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_busy_partition_reuses_its_workers_and_a_quiet_one_keeps_none()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        var metrics = host.Services.GetRequiredService<MdsMetrics>();

        // 40 nodes, two attempts at a time: a worker per attempt would mean at least 40 workers.
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "workers", nodes: 40, dir, ttl: "PT1H", maxConcurrency: 2);
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Count >= 1)), TimeSpan.FromSeconds(60), "all 40 delivered");
        // An agent holds its item as soon as it answers the push; the partition counts the attempt when the worker's
        // report reaches it, a moment later.
        await Eventually.TrueAsync(() => Task.FromResult(metrics.AckedTotal >= 40), TimeSpan.FromSeconds(10), "all 40 acks counted");

        var attempts = metrics.AckedTotal + metrics.FailedTotal;
        output.WriteLine($"{attempts} attempts, {metrics.WorkersStartedTotal} workers started, {metrics.WorkersLive} alive");
        Assert.True(attempts >= 40, $"{attempts} attempts");
        Assert.True(metrics.WorkersStartedTotal <= 4, $"{metrics.WorkersStartedTotal} workers started for {attempts} attempts, two at a time");

        // Nothing is due for half an hour: the idle workers go after a second.
        await Eventually.TrueAsync(() => Task.FromResult(metrics.WorkersLive == 0), TimeSpan.FromSeconds(10), "no worker left once quiet");
    }
}
