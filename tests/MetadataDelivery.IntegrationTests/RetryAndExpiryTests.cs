using System.Text.Json.Nodes;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MetadataDelivery.IntegrationTests;

/// <summary>Runs alone (<see cref="SoleHostCollection"/>): it reads a gauge's value from /metrics.</summary>
[Collection(SoleHostCollection.Name)]
public sealed class RetryAndExpiryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_agent_failing_three_times_is_retried_and_delivered_before_expiry()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        // 20 s: the renewal comes ~10 s before expiry, room for three failed attempts and their backoff (≤ 2.8 s) even
        // when CI's other tests starve this one for seconds (with 10 s, a 2.5 s stall once made the heal 0.2 s late).
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "flaky", nodes: 1, dir, ttl: "PT20S", renewAt: 0.5);
        var agent = fleet.Agents[0];
        await agent.WaitForDeliveryAsync("first delivery");
        var first = agent.Accepted[0];

        agent.FailNext(3);
        var attemptsSeen = new HashSet<int>();
        string? lastError = null;
        await Eventually.TrueAsync(async () =>
        {
            var node = await tenant.GetOkAsync($"/v1/services/flaky/nodes/{agent.Node}");
            var attempts = node["attempts"]!.GetValue<int>();
            attemptsSeen.Add(attempts);
            lastError ??= node["lastError"]?.GetValue<string>();
            return agent.Accepted.Count >= 2;
        }, TimeSpan.FromSeconds(25), "delivery after three failures", every: TimeSpan.FromMilliseconds(50));

        var failures = agent.Pushes.Where(p => p.Status == 503).ToList();
        Assert.Equal(3, failures.Count);
        var healed = agent.Accepted[1];
        Assert.True(healed.At < first.ExpiresAt, $"healed delivery at {healed.At:O} after expiry {first.ExpiresAt:O}");
        Assert.Contains(attemptsSeen, a => a >= 1);
        Assert.Contains("503", lastError);
        output.WriteLine($"attempt counts seen in node status: {string.Join(",", attemptsSeen.Order())}");

        await Eventually.TrueAsync(async () =>
        {
            var node = await tenant.GetOkAsync($"/v1/services/flaky/nodes/{agent.Node}");
            return node["state"]!.GetValue<string>() == "delivered" && node["attempts"]!.GetValue<int>() == 0;
        }, TimeSpan.FromSeconds(5), "status back to delivered with attempts reset");
        Assert.Equal(0, host.Services.GetRequiredService<MdsMetrics>().ExpiredAlarmsTotal);
    }

    [Fact]
    public async Task An_agent_down_longer_than_the_ttl_expires_raises_the_alarm_and_recovers()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "outage", nodes: 2, dir, ttl: "PT6S", renewAt: 0.5);
        var (down, up) = (fleet.Agents[0], fleet.Agents[1]);
        await Eventually.TrueAsync(() => Task.FromResult(down.Accepted.Count >= 1 && up.Accepted.Count >= 1), TimeSpan.FromSeconds(10), "first deliveries");
        var metrics = host.Services.GetRequiredService<MdsMetrics>();
        var beforeAnyAlarm = await (await host.Operator.GetAsync("/metrics")).Response.Content.ReadAsStringAsync();
        Assert.Matches(@"(?m)^mds_alarms_expired_total(\{[^}]*\})? 0\b", beforeAnyAlarm); // alert rules see 0, not "no data"

        await down.StopAsync();
        var expiry = down.Accepted[^1].ExpiresAt;
        JsonNode? status = null;
        await Eventually.TrueAsync(async () =>
        {
            status = await tenant.GetOkAsync($"/v1/services/outage/nodes/{down.Node}");
            return status["state"]!.GetValue<string>() == "expired";
        }, TimeSpan.FromSeconds(15), "node expired while its agent is down");
        output.WriteLine(status!.ToJsonString());
        Assert.True(DateTimeOffset.UtcNow >= expiry);
        Assert.NotNull(status["lastError"]?.GetValue<string>());
        Assert.True(status["attempts"]!.GetValue<int>() >= 1);
        Assert.Equal(1, metrics.ExpiredAlarmsTotal);
        var metricsText = await (await host.Operator.GetAsync("/metrics")).Response.Content.ReadAsStringAsync();
        Assert.Matches(@"(?m)^mds_alarms_expired_total(\{[^}]*\})? 1\b", metricsText);
        Assert.True(metrics.NodeStateBytesTotal > 0, "the partitions reported their node state");
        Assert.Matches(@"(?m)^mds_node_state_bytes(\{[^}]*\})? [1-9][0-9]*", metricsText); // the partitions' node tables and schedules

        // The service's counts are summed from its partitions' reports, which trail node views by up to a second.
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/outage"))["nodes"]!["expired"]!.GetValue<int>() == 1,
            TimeSpan.FromSeconds(5), "service counts show the expired node");
        var expiredList = await tenant.GetOkAsync("/v1/services/outage/nodes?state=expired");
        Assert.Equal(down.Node, expiredList["items"]![0]!["node"]!.GetValue<string>());

        await down.StartAsync();
        await Eventually.TrueAsync(async () =>
            (await tenant.GetOkAsync($"/v1/services/outage/nodes/{down.Node}"))["state"]!.GetValue<string>() == "delivered",
            TimeSpan.FromSeconds(10), "node delivered again after its agent returned");
        // the healthy node never expired; only one alarm was raised
        Assert.All(up.Accepted.Skip(1).Zip(up.Accepted), pair => Assert.True(pair.Item1.At < pair.Item2.ExpiresAt));
        Assert.Equal(1, metrics.ExpiredAlarmsTotal);
    }
}
