using System.Diagnostics;
using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_mid_run_loses_no_registration_and_deliveries_resume_within_seconds()
    {
        using var dir = new TestDirectory();
        var args = HostArgs.Fresh(dir.Sub("host"));
        await using var host = new HostProcess(args, Path.Combine(dir.Path, "host.log"));
        await host.StartAsync();
        var tenantKey = await host.Operator.CreateTenantAsync("acme");
        using var tenant = host.Operator.WithKey(tenantKey);
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "crash", nodes: 20, dir, ttl: "PT30S", renewAt: 0.5);
        var emptyMap = Path.Combine(dir.Sub("maps"), "empty.json");
        AgentFleet.WriteNodeMap(emptyMap, []);
        for (var i = 0; i < 5; i++)
        {
            var (status, body, _) = await tenant.PostAsync("/v1/services", new
            {
                name = $"extra-{i}", nodeMap = new Uri(emptyMap).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" },
            });
            Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        }
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Count >= 1)), TimeSpan.FromSeconds(15), "all 20 delivered");
        await Task.Delay(TimeSpan.FromSeconds(2));

        host.Kill();
        var killedAt = DateTimeOffset.UtcNow;
                var restart = Stopwatch.StartNew();
        await host.StartAsync();
        var ready = restart.Elapsed;

        // Nobody calls the API: remembered entities restart on their own and re-arm their renewal timers.
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Any(p => p.At > killedAt))),
            TimeSpan.FromSeconds(40), "every agent received a delivery after the restart");
        var resumed = restart.Elapsed;
        var firstAfter = fleet.Agents.SelectMany(a => a.Accepted).Where(p => p.At > killedAt).Min(p => p.At) - killedAt;
        output.WriteLine($"restart to ready: {ready.TotalSeconds:0.0} s; first delivery after kill: {firstAfter.TotalSeconds:0.0} s; all 20 renewed by {resumed.TotalSeconds:0.0} s after restart");
        Assert.True(firstAfter < TimeSpan.FromSeconds(20), $"first delivery only {firstAfter} after the kill");
        foreach (var agent in fleet.Agents)
        {
            var held = agent.Accepted.Last(p => p.At <= killedAt);
            var next = agent.Accepted.First(p => p.At > killedAt);
            Assert.True(next.At < held.ExpiresAt, $"{agent.Node}: renewed at {next.At:O}, after its item expired at {held.ExpiresAt:O}");
        }

        var list = await tenant.GetOkAsync("/v1/services?limit=100");
        var names = list["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["crash", "extra-0", "extra-1", "extra-2", "extra-3", "extra-4"], names);
        var service = await tenant.GetOkAsync("/v1/services/crash");
        Assert.Equal(20, service["nodes"]!["total"]!.GetValue<int>());
        Assert.Equal(0, service["nodes"]!["expired"]!.GetValue<int>());
        foreach (var agent in fleet.Agents)
        {
            var node = await tenant.GetOkAsync($"/v1/services/crash/nodes/{agent.Node}");
            Assert.Contains(node["version"]!.GetValue<string>(), agent.Accepted.Select(p => p.Version));
        }
        // the operator key and the tenant key survived too
        Assert.Equal(HttpStatusCode.OK, (await host.Operator.GetAsync("/v1/tenants")).Status);
        Assert.DoesNotContain("Exception", host.Log.Split('\n').Where(l => l.Contains("fail:") || l.Contains("crit:")));
        Assert.Equal("wal", JournalModeOf(Path.Combine(args.DataDir, "mds.db"))); // the journal above ran in it
    }

    private static string JournalModeOf(string file)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        return (string)cmd.ExecuteScalar()!;
    }
}
