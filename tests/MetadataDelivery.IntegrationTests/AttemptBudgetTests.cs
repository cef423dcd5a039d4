using System.Net;
using MetadataDelivery.Fleet;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>The member's attempt budget (Mds:Delivery:MaxAttemptsInFlight) over many partitions: never more attempts
/// at once than the budget, and every partition that waited for a slot gets one (no partition left asleep).</summary>
public sealed class AttemptBudgetTests
{
    [Fact]
    public async Task Partitions_of_several_services_share_a_budget_of_two_and_all_their_nodes_are_delivered()
    {
        await using var bed = await TenantHost.StartAsync("acme", "--Mds:Delivery:MaxAttemptsInFlight=2", "--Mds:Delivery:NodesPerPartition=8");
        var (dir, _, tenant) = bed;
        var secrets = new System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<string>>();
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, service) => secrets.GetValueOrDefault(service) ?? []);
        fleet.ResponseDelay = TimeSpan.FromMilliseconds(50); // attempts overlap, so a budget that leaked would show

        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            var map = Path.Combine(dir.Sub("maps"), name + ".json");
            AgentFleet.WriteNodeMap(map, Enumerable.Range(0, 20).Select(i => ($"n{i:D3}", $"127.0.0.1:{fleet.Port}"))); // 4 partitions each
            var (status, body, _) = await tenant.PostAsync("/v1/services",
                new { name, nodeMap = new Uri(map).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } });
            Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
            secrets[name] = [body!["deliverySecret"]!.GetValue<string>()];
        }

        await Eventually.TrueAsync(() => Task.FromResult(fleet.Held.Count == 60), TimeSpan.FromSeconds(60), "all 60 nodes of 12 partitions delivered");
        Assert.InRange(fleet.MaxConcurrentPushes, 1, 2);
        Assert.Equal(0, fleet.Rejected);
    }
}
