using System.Net;
using System.Text.Json.Nodes;
using MetadataDelivery.Fleet;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>Node maps and metadata from a real S3-protocol server (s3rver) on loopback.</summary>
public sealed class S3Tests(ITestOutputHelper output)
{
    private static string Map(IEnumerable<(string Id, string Address)> nodes) =>
        new JsonObject { ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)new JsonObject { ["id"] = n.Id, ["address"] = n.Address }).ToArray()) }.ToJsonString();

    [Fact]
    public async Task An_s3_node_map_is_kept_in_sync_and_a_bad_map_or_an_s3_outage_never_costs_the_fleet()
    {
        using var dir = new TestDirectory();
        await using var s3 = await S3Server.StartAsync(dir.Sub("s3"));
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"), s3.HostArgs);
        using var tenant = host.Tenant(await host.Operator.CreateTenantAsync("acme"));
        IReadOnlyList<string> secrets = [];
        await using var fleetA = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => secrets);
        await using var fleetB = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => secrets);
        string A(int i) => $"node-{i:D3}";
        var addressA = $"127.0.0.1:{fleetA.Port}";
        var addressB = $"127.0.0.1:{fleetB.Port}";

        await s3.PutAsync("maps/svc.json", Map(Enumerable.Range(0, 100).Select(i => (A(i), addressA))));
        var (status, body, _) = await tenant.PostAsync("/v1/services", new
        {
            name = "svc", nodeMap = $"s3://{s3.Bucket}/maps/svc.json", metadata = new { source = "builtin:ca", ttl = "PT10S", renewAt = 0.5 },
        });
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        secrets = [body!["deliverySecret"]!.GetValue<string>()];
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodes"]!["delivered"]!.GetValue<int>() == 100,
            TimeSpan.FromSeconds(20), "all 100 nodes delivered");

        // 20 removed (0-19), 5 re-addressed to fleet B (20-24), 30 added (100-129)
        var next = Enumerable.Range(20, 80).Select(i => (A(i), i < 25 ? addressB : addressA))
            .Concat(Enumerable.Range(100, 30).Select(i => (A(i), addressA))).ToList();
        await s3.PutAsync("maps/svc.json", Map(next));
        var changedAt = DateTime.UtcNow;
        await Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(100, 30).All(i => fleetA.AcceptedFor("acme", "svc", A(i)) >= 1)
                && Enumerable.Range(20, 5).All(i => fleetB.AcceptedFor("acme", "svc", A(i)) >= 1)),
            TimeSpan.FromSeconds(2 + 5), "within one sync interval (2 s) the 30 added are delivered and the 5 moved are pushed at their new address");
        output.WriteLine($"map change applied and delivered in {(DateTime.UtcNow - changedAt).TotalSeconds:0.0} s");
        var service = await tenant.GetOkAsync("/v1/services/svc");
        Assert.Equal(110, service["nodes"]!["total"]!.GetValue<int>());
        Assert.Equal(110, service["nodeMap"]!["nodeCount"]!.GetValue<int>());
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync($"/v1/services/svc/nodes/{A(i)}")).Status);
        var removedCounts = Enumerable.Range(0, 20).ToDictionary(i => i, i => fleetA.AcceptedFor("acme", "svc", A(i)));
        var movedCountsAtA = Enumerable.Range(20, 5).ToDictionary(i => i, i => fleetA.AcceptedFor("acme", "svc", A(i)));
        var aBefore = fleetA.Accepted;
        await Task.Delay(TimeSpan.FromSeconds(7)); // more than one renewal period (5 s)
        Assert.All(removedCounts, kv => Assert.Equal(kv.Value, fleetA.AcceptedFor("acme", "svc", A(kv.Key))));   // removed: no more pushes
        Assert.All(movedCountsAtA, kv => Assert.Equal(kv.Value, fleetA.AcceptedFor("acme", "svc", A(kv.Key)))); // moved: never the old address again
        Assert.True(fleetA.Accepted > aBefore, "the remaining fleet keeps being renewed");

        // garbage: rejected whole, the last good map stays, deliveries go on
        await s3.PutAsync("maps/svc.json", "{\"nodes\":[{\"id\":\"x\"");
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodeMap"]!["lastError"]?.GetValue<string>() is { } e && e.Contains("invalid node map"),
            TimeSpan.FromSeconds(10), "lastError shows the invalid map");
        var afterGarbage = fleetA.Accepted;
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.True(fleetA.Accepted > afterGarbage, "deliveries to the old fleet continue");
        Assert.Equal(110, (await tenant.GetOkAsync("/v1/services/svc"))["nodes"]!["total"]!.GetValue<int>());

        // a good map again clears the error
        await s3.PutAsync("maps/svc.json", Map(next));
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodeMap"]!["lastError"] is null,
            TimeSpan.FromSeconds(10), "error cleared by a valid map");

        // S3 down for a while: the error is visible, the fleet keeps being served, and it recovers by itself
        s3.Stop();
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodeMap"]!["lastError"]?.GetValue<string>() is { } e && e.Contains("S3"),
            TimeSpan.FromSeconds(20), "lastError shows S3 is unreachable");
        var duringOutage = fleetA.Accepted;
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.True(fleetA.Accepted > duringOutage, "deliveries continue while S3 is down");
        await s3.StartProcessAsync();
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodeMap"]!["lastError"] is null,
            TimeSpan.FromSeconds(20), "recovered by itself once S3 is back");
        var final = await tenant.GetOkAsync("/v1/services/svc");
        Assert.Equal(110, final["nodes"]!["total"]!.GetValue<int>());
        Assert.Equal(0, final["nodes"]!["expired"]!.GetValue<int>());
    }

    [Fact]
    public async Task Metadata_from_s3_objects_honours_their_expires_and_reports_missing_ones()
    {
        using var dir = new TestDirectory();
        await using var s3 = await S3Server.StartAsync(dir.Sub("s3"));
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"), s3.HostArgs);
        using var tenant = host.Tenant(await host.Operator.CreateTenantAsync("acme"));
        IReadOnlyList<string> secrets = [];
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => secrets);
        var expires = DateTimeOffset.UtcNow.AddMinutes(30);
        await s3.PutAsync("certs/n1.pem", "-----tags for n1-----", "text/plain", expires);
        await s3.PutAsync("maps/m.json", Map([("n1", $"127.0.0.1:{fleet.Port}"), ("n2", $"127.0.0.1:{fleet.Port}")]));
        var (status, body, _) = await tenant.PostAsync("/v1/services", new
        {
            name = "objs", nodeMap = $"s3://{s3.Bucket}/maps/m.json", metadata = new { source = $"s3://{s3.Bucket}/certs/{{node}}.pem", ttl = "PT2H" },
        });
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        secrets = [body!["deliverySecret"]!.GetValue<string>()];

        await Eventually.TrueAsync(() => Task.FromResult(fleet.AcceptedFor("acme", "objs", "n1") >= 1), TimeSpan.FromSeconds(15), "n1 delivered from S3");
        var n1 = await tenant.GetOkAsync("/v1/services/objs/nodes/n1");
        Assert.InRange(n1["expiresAt"]!.GetValue<DateTimeOffset>(), expires.AddSeconds(-2), expires.AddSeconds(2)); // capped by the object's Expires, not now + 2 h
        await Eventually.TrueAsync(async () =>
        {
            var (s, n2, _) = await tenant.GetAsync("/v1/services/objs/nodes/n2");
            return s == HttpStatusCode.OK && (n2!["lastError"]?.GetValue<string>() ?? "").Contains("does not exist");
        }, TimeSpan.FromSeconds(10), "n2's missing object is its last error");
    }
}
