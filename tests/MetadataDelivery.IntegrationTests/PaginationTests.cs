using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class PaginationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_services_are_each_listed_exactly_once_across_a_restart()
    {
        using var dir = new TestDirectory();
        var map = Path.Combine(dir.Sub("maps"), "empty.json");
        AgentFleet.WriteNodeMap(map, []);
        var args = HostArgs.Fresh(dir.Sub("host"));
        var names = Enumerable.Range(0, 1000).Select(i => $"svc-{i:D4}").ToList();
        string tenantKey;
        await using (var host = await InProcessHost.StartAsync(args, "--Mds:NodeMaps:SyncInterval=00:01:00"))
        {
            tenantKey = await host.Operator.CreateTenantAsync("big");
            using var tenant = host.Tenant(tenantKey);
            var started = DateTime.UtcNow;
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            {
                var (status, body, _) = await tenant.PostAsync("/v1/services", new { name, nodeMap = new Uri(map).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } });
                Assert.True(status == HttpStatusCode.Created, $"{name}: {(int)status} {body?.ToJsonString()}");
            });
            output.WriteLine($"registered 1000 services in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
            Assert.Equal(names, await ListAllAsync(tenant, pageSize: 37));
        }

        await using var restarted = await InProcessHost.StartAsync(args, "--Mds:NodeMaps:SyncInterval=00:01:00");
        using var again = restarted.Tenant(tenantKey);
        var listed = await ListAllAsync(again, pageSize: 37);
        Assert.Equal(names, listed); // each exactly once, in order, none lost by the restart
        Assert.Equal(names.Take(10), await ListAllAsync(again, pageSize: 1000, maxPages: 1, limitItems: 10));
    }

    private static async Task<List<string>> ListAllAsync(ApiClient api, int pageSize, int maxPages = int.MaxValue, int? limitItems = null)
    {
        var all = new List<string>();
        string? cursor = null;
        for (var page = 0; page < maxPages; page++)
        {
            var limit = limitItems ?? pageSize;
            var path = $"/v1/services?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            // Right after a restart the 1,000 remembered services are still recovering and a page may answer
            // 503 "retry shortly"; a client retries that page, as this one does (bounded).
            System.Text.Json.Nodes.JsonNode? body = null;
            await Eventually.TrueAsync(async () =>
            {
                var (status, answer, _) = await api.GetAsync(path);
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"GET {path} → {(int)status}");
                body = answer;
                return status == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(90), $"page {path} answered", TimeSpan.FromSeconds(1));
            all.AddRange(body!["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));
            cursor = body!["nextCursor"]?.GetValue<string>();
            if (cursor is null) break;
        }
        return all;
    }
}
