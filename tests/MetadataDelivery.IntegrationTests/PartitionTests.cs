using System.Net;
using System.Text.Json.Nodes;
using MetadataDelivery.Fleet;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>A service split into node partitions behaves like one service: every node delivered once by one
/// partition, pages across partitions, reads and forced deliveries routed to the right partition, growth
/// that moves nodes between partitions without losing any, and deletion that retires them all.</summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_partitioned_service_delivers_pages_grows_shrinks_and_retires()
    {
        await using var bed = await TenantHost.StartAsync("acme", "--Mds:Delivery:NodesPerPartition=8", "--Mds:NodeMaps:SyncInterval=00:00:01");
        var (dir, host, tenant) = bed;
        IReadOnlyList<string> secrets = [];
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => secrets);
        var map = Path.Combine(dir.Sub("maps"), "big.json");
        void WriteMap(IEnumerable<int> nodes) =>
            AgentFleet.WriteNodeMap(map, nodes.Select(i => ($"n{i:D3}", $"127.0.0.1:{fleet.Port}")));

        WriteMap(Enumerable.Range(0, 40)); // 40 nodes / 8 per partition → 8 partitions (a power of two)
        var (status, body, _) = await tenant.PostAsync("/v1/services",
            new { name = "big", nodeMap = new Uri(map).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } });
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        secrets = [body!["deliverySecret"]!.GetValue<string>()];
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Held.Count == 40), TimeSpan.FromSeconds(30), "all 40 nodes delivered");

        var placement = await host.Operator.GetOkAsync("/v1/admin/sharding/services/acme/big");
        output.WriteLine(placement.ToJsonString());
        Assert.Equal(8, placement["partitions"]!.AsArray().Count);
        Assert.Equal(40, placement["partitions"]!.AsArray().Sum(p => p!["nodes"]!.GetValue<int>()));
        Assert.All(placement["partitions"]!.AsArray(), p => Assert.InRange(p!["nodes"]!.GetValue<int>(), 0, 16));
        Assert.Equal(8, (await host.Operator.GetOkAsync("/v1/admin/sharding?type=partition"))["members"]!.AsArray().Sum(m => m!["entities"]!.GetValue<int>()));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"n{i:D3}"), await AllNodesAsync(tenant, "big", pageSize: 7));
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/big"))["nodes"]!["delivered"]!.GetValue<int>() == 40,
            TimeSpan.FromSeconds(5), "the service's counts sum the partitions'");
        Assert.Equal("delivered", (await tenant.GetOkAsync("/v1/services/big/nodes/n017"))["state"]!.GetValue<string>());
        var before = fleet.AcceptedFor("acme", "big", "n017");
        var (forced, forcedBody, _) = await tenant.PostAsync("/v1/services/big/nodes/n017/deliveries?wait=PT10S");
        Assert.True(forced == HttpStatusCode.OK, forcedBody?.ToJsonString());
        Assert.Equal(before + 1, fleet.AcceptedFor("acme", "big", "n017"));
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/v1/services/big/nodes/n999")).Status);

        // growth past 8 × 8: 16 partitions; about half of each partition's nodes move to its new sibling, which
        // takes over their delivery state: a node holding a valid item is not pushed again because it moved
        var pushesBeforeGrowth = Enumerable.Range(0, 40).ToDictionary(i => i, i => fleet.AcceptedFor("acme", "big", $"n{i:D3}"));
        WriteMap(Enumerable.Range(0, 100));
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/big"))["nodeMap"]!["nodeCount"]!.GetValue<int>() == 100,
            TimeSpan.FromSeconds(20), "the grown map applied");
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Held.Count == 100), TimeSpan.FromSeconds(30), "all 100 nodes delivered");
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the new partitions' wait for the hand-over (5 s)
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(pushesBeforeGrowth[i], fleet.AcceptedFor("acme", "big", $"n{i:D3}")));
        var moved = await tenant.GetOkAsync("/v1/services/big/nodes/n003");
        Assert.Equal("delivered", moved["state"]!.GetValue<string>());
        placement = await host.Operator.GetOkAsync("/v1/admin/sharding/services/acme/big");
        Assert.Equal(16, placement["partitions"]!.AsArray().Count);
        Assert.Equal(100, placement["partitions"]!.AsArray().Sum(p => p!["nodes"]!.GetValue<int>())); // no node in two partitions
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"n{i:D3}"), await AllNodesAsync(tenant, "big", pageSize: 9));
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/big"))["nodes"]!["total"]!.GetValue<int>() == 100,
            TimeSpan.FromSeconds(5), "counts follow the growth");

        // shrinking keeps the partition count (it only grows) and drops the removed nodes
        WriteMap(Enumerable.Range(0, 30));
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/big"))["nodes"]!["total"]!.GetValue<int>() == 30,
            TimeSpan.FromSeconds(20), "the shrunk map applied");
        Assert.Equal(16, (await host.Operator.GetOkAsync("/v1/admin/sharding/services/acme/big"))["partitions"]!.AsArray().Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"n{i:D3}"), await AllNodesAsync(tenant, "big", pageSize: 1000));

        // deletion retires every partition: no more pushes, and the entities stop
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.SendAsync(HttpMethod.Delete, "/v1/services/big")).Status);
        await Eventually.TrueAsync(async () => (await host.Operator.GetOkAsync("/v1/admin/sharding?type=partition"))["members"]!.AsArray()
            .Sum(m => m!["entities"]!.GetValue<int>()) == 0, TimeSpan.FromSeconds(20), "retired partitions stopped");
        var afterDelete = fleet.Accepted;
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(afterDelete, fleet.Accepted);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Operator.GetAsync("/v1/admin/sharding/services/acme/big")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/v1/services/big")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Operator.GetAsync("/v1/admin/sharding?type=nope")).Status);

        // the name registered again: its retired partitions come back with the new configuration and nodes
        WriteMap(Enumerable.Range(200, 20));
        (status, body, _) = await tenant.PostAsync("/v1/services",
            new { name = "big", nodeMap = new Uri(map).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } });
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        secrets = [body!["deliverySecret"]!.GetValue<string>()];
        await Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(200, 20).All(i => fleet.AcceptedFor("acme", "big", $"n{i:D3}") >= 1)),
            TimeSpan.FromSeconds(30), "the re-registered service's 20 nodes delivered");
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/big"))["nodes"]!["delivered"]!.GetValue<int>() == 20,
            TimeSpan.FromSeconds(10), "counts of the new incarnation only");
        Assert.Equal(Enumerable.Range(200, 20).Select(i => $"n{i:D3}"), await AllNodesAsync(tenant, "big", pageSize: 6));
    }

    private static async Task<List<string>> AllNodesAsync(ApiClient tenant, string service, int pageSize)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 1000; page++)
        {
            var body = await tenant.GetOkAsync($"/v1/services/{service}/nodes?limit={pageSize}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            ids.AddRange(body["items"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()));
            cursor = body["nextCursor"]?.GetValue<string>();
            if (cursor is null) return ids;
        }
        throw new InvalidOperationException("paging did not end");
    }
}
