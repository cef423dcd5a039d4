using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class SourcesAndNodeMapTests
{
    [Fact]
    public async Task Http_source_is_refreshed_and_pushed_only_when_content_changes_and_expires_is_honoured()
    {
        using var dir = new TestDirectory();
        await using var issuer = await TestIssuer.StartAsync();
        issuer.Content["node-001"] = "tags: a";
        issuer.Content["node-002"] = "tags: b";
        var capped = DateTimeOffset.UtcNow.AddMinutes(20);
        issuer.Expires["node-002"] = capped;
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        using var tenant = host.Tenant(await host.Operator.CreateTenantAsync("acme"));
        var ports = new[] { Ports.Free(), Ports.Free() };
        var mapPath = Path.Combine(dir.Sub("maps"), "dyn.json");
        AgentFleet.WriteNodeMap(mapPath, [("node-001", $"127.0.0.1:{ports[0]}"), ("node-002", $"127.0.0.1:{ports[1]}")]);
        var (status, body, _) = await tenant.PostAsync("/v1/services", new
        {
            name = "dyn", nodeMap = new Uri(mapPath).AbsoluteUri,
            metadata = new { source = issuer.Template, ttl = "PT1H", renewAt = 0.66, refreshInterval = "PT1S" },
        });
        Assert.Equal(HttpStatusCode.Created, status);
        var secret = body!["deliverySecret"]!.GetValue<string>();
        await using var a1 = new TestAgent("node-001", dir.Sub("a1"), "acme", "dyn", secret, port: ports[0]);
        await using var a2 = new TestAgent("node-002", dir.Sub("a2"), "acme", "dyn", secret, port: ports[1]);
        await a1.StartAsync(); await a2.StartAsync();
        await Eventually.TrueAsync(() => Task.FromResult(a1.Accepted.Count == 1 && a2.Accepted.Count == 1), TimeSpan.FromSeconds(10), "first deliveries");

        // the source's Expires caps the item's expiry below fetch + ttl
        var node2 = await tenant.GetOkAsync("/v1/services/dyn/nodes/node-002");
        Assert.InRange(node2["expiresAt"]!.GetValue<DateTimeOffset>(), capped.AddSeconds(-1), capped.AddSeconds(1));

        // unchanged content is fetched again but not pushed; changed content is pushed at the next refresh
        var fetchesBefore = issuer.Fetches;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(issuer.Fetches >= fetchesBefore + 2, "refresh fetched the source");
        Assert.Single(a1.Accepted);
        Assert.Single(a2.Accepted);
        issuer.Content["node-001"] = "tags: a, b";
        await Eventually.TrueAsync(() => Task.FromResult(a1.Accepted.Count == 2), TimeSpan.FromSeconds(5), "changed content pushed");
        Assert.Equal("tags: a, b", File.ReadAllText(Path.Combine(a1.DataDir, "acme", "dyn", "payload")));
        Assert.Single(a2.Accepted);
    }

    [Fact]
    public async Task A_source_error_is_a_failed_attempt_with_the_reason_in_node_status()
    {
        using var dir = new TestDirectory();
        await using var issuer = await TestIssuer.StartAsync(); // knows no node: answers 404
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        using var tenant = host.Tenant(await host.Operator.CreateTenantAsync("acme"));
        var mapPath = Path.Combine(dir.Sub("maps"), "m.json");
        AgentFleet.WriteNodeMap(mapPath, [("n1", $"127.0.0.1:{Ports.Free()}")]);
        var (status, _, _) = await tenant.PostAsync("/v1/services", new
        {
            name = "broken", nodeMap = new Uri(mapPath).AbsoluteUri, metadata = new { source = issuer.Template, ttl = "PT1H" },
        });
        Assert.Equal(HttpStatusCode.Created, status);
        await Eventually.TrueAsync(async () =>
        {
            var (status, node, _) = await tenant.GetAsync("/v1/services/broken/nodes/n1"); // 404 until the node map is read
            return status == HttpStatusCode.OK && node!["state"]!.GetValue<string>() == "retrying"
                && (node["lastError"]?.GetValue<string>() ?? "").Contains("404");
        }, TimeSpan.FromSeconds(10), "node retrying with the source's 404 as last error");
    }

    [Fact]
    public async Task Node_map_changes_are_applied_and_a_broken_map_keeps_the_last_good_fleet()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "sync", nodes: 3, dir, ttl: "PT1H");
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Count >= 1)), TimeSpan.FromSeconds(10), "initial fleet delivered");

        // remove node-001, re-address node-002 to a new agent, add node-004
        var moved = new TestAgent("node-002", dir.Sub("moved"), "acme", "sync", fleet.Secret);
        var added = new TestAgent("node-004", dir.Sub("added"), "acme", "sync", fleet.Secret);
        await moved.StartAsync(); await added.StartAsync();
        await using var _m = moved; await using var _a = added;
        AgentFleet.WriteNodeMap(fleet.NodeMapPath, [("node-002", moved.Address), ("node-003", fleet.Agents[2].Address), ("node-004", added.Address)]);
        Assert.Equal(HttpStatusCode.Accepted, (await tenant.PostAsync("/v1/services/sync/sync")).Status);
        await added.WaitForDeliveryAsync("added node delivered");
        // a re-addressed node is delivered at its new address at once, not at its next renewal (TTL is an hour here)
        await moved.WaitForDeliveryAsync("moved node delivered at its new address");
        var nodes = await tenant.GetOkAsync("/v1/services/sync/nodes");
        Assert.Equal(["node-002", "node-003", "node-004"], nodes["items"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()));
        Assert.Equal(moved.Address, nodes["items"]![0]!["address"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/v1/services/sync/nodes/node-001")).Status);
        var movedBefore = moved.Accepted.Count;
        Assert.Equal(HttpStatusCode.OK, (await tenant.PostAsync("/v1/services/sync/nodes/node-002/deliveries?wait=PT5S")).Status);
        Assert.Equal(movedBefore + 1, moved.Accepted.Count); // forced pushes go to the new address too
        Assert.Single(fleet.Agents[1].Accepted);             // and never again to the old one

        // garbage: rejected whole, error visible, fleet unchanged
        File.WriteAllText(fleet.NodeMapPath, """{"nodes":[{"id":"x","address":"h"},{"id":"x","address":"h"}]}""");
        await tenant.PostAsync("/v1/services/sync/sync");
        await Eventually.TrueAsync(async () =>
            ((await tenant.GetOkAsync("/v1/services/sync"))["nodeMap"]!["lastError"]?.GetValue<string>() ?? "").Contains("more than once"),
            TimeSpan.FromSeconds(10), "lastError shows the duplicate");
        var service = await tenant.GetOkAsync("/v1/services/sync");
        Assert.Equal(3, service["nodes"]!["total"]!.GetValue<int>());
        Assert.Equal(3, service["nodeMap"]!["nodeCount"]!.GetValue<int>());
    }
}
