using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MetadataDelivery.IntegrationTests;

public sealed class RenewalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_real_agents_are_kept_fresh_and_nothing_ever_expires()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "payments", nodes: 50, dir, ttl: "PT10S", renewAt: 0.5);
        // The agents start after the registration (they need its secret), 50 of them in this process: until one listens,
        // the attempts to it fail and are retried at most TTL / 4 (2.5 s) apart.
        var agentsUp = DateTimeOffset.UtcNow;

        await Task.Delay(TimeSpan.FromSeconds(40));
        var ended = DateTimeOffset.UtcNow;

        foreach (var agent in fleet.Agents)
        {
            var accepted = agent.Accepted;
            var versions = accepted.Select(p => p.Version).Distinct().Count();
            Assert.True(versions >= 3, $"{agent.Node} got {versions} distinct signed deliveries in 40 s");
            Assert.True(accepted[0].At - agentsUp < TimeSpan.FromSeconds(5), $"{agent.Node}: first delivery {accepted[0].At - agentsUp} after the agents were up");
            for (var i = 1; i < accepted.Count; i++)
                Assert.True(accepted[i].At < accepted[i - 1].ExpiresAt,
                    $"{agent.Node}: delivery {i} acked at {accepted[i].At:O}, after the previous item expired at {accepted[i - 1].ExpiresAt:O}");
            Assert.True(ended < accepted[^1].ExpiresAt, $"{agent.Node}: holds an expired item at the end");
            // the agent verified the signature of each: a bad one would have been refused with 401
            Assert.DoesNotContain(agent.Pushes, p => p.Status == 401);
        }

        var service = await tenant.GetOkAsync("/v1/services/payments");
        output.WriteLine(service.ToJsonString());
        Assert.Equal(50, service["nodes"]!["total"]!.GetValue<int>());
        Assert.Equal(0, service["nodes"]!["expired"]!.GetValue<int>());
        Assert.Equal(0, host.Services.GetRequiredService<MdsMetrics>().ExpiredAlarmsTotal);
        var total = fleet.Agents.Sum(a => a.Accepted.Count);
        output.WriteLine($"{total} deliveries acked in 40 s ({total / 40.0:0.0}/s)");
    }
}
