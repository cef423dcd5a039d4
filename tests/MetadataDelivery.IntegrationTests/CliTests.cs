using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>The <c>mds</c> CLI end to end against a running host: tables, --json, and exit codes.</summary>
public sealed class CliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Onboarding_status_delivery_and_cluster_commands()
    {
        using var dir = new TestDirectory();
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        var mds = new CliRunner(host.Args.BaseAddress);
        var admin = host.Args.AdminKey;

        // tenants (operator key)
        var created = await mds.RunAsync(admin, "tenant", "create", "acme", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var tenantKey = created.Json["apiKey"]!.GetValue<string>();
        Assert.Equal(6, (await mds.RunAsync(admin, "tenant", "create", "acme")).ExitCode);           // conflict
        Assert.Equal(2, (await mds.RunAsync(admin, "tenant", "create", "Not_Valid")).ExitCode);      // invalid
        Assert.Equal(4, (await mds.RunAsync(tenantKey, "tenant", "list")).ExitCode);                 // tenant key on operator route
        Assert.Equal(4, (await mds.RunAsync("mds_wrong", "tenant", "list")).ExitCode);
        var tenants = await mds.RunAsync(admin, "tenant", "list");
        Assert.Contains("acme", tenants.Stdout);
        Assert.StartsWith("NAME", tenants.Stdout);

        // a service with two real agents
        var agentPorts = new[] { Ports.Free(), Ports.Free() };
        var map = Path.Combine(dir.Sub("maps"), "cli.json");
        AgentFleet.WriteNodeMap(map, [("n1", $"127.0.0.1:{agentPorts[0]}"), ("n2", $"127.0.0.1:{agentPorts[1]}")]);
        Assert.Equal(2, (await mds.RunAsync(tenantKey, "service", "register", "web", "--node-map", new Uri(map).AbsoluteUri, "--source", "builtin:ca", "--ttl", "forever")).ExitCode);
        var registered = await mds.RunAsync(tenantKey, "service", "register", "web", "--node-map", new Uri(map).AbsoluteUri, "--source", "builtin:ca", "--ttl", "PT1H", "--json");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        var secret = registered.Json["deliverySecret"]!.GetValue<string>();
        await using var a1 = new TestAgent("n1", dir.Sub("a1"), "acme", "web", secret, port: agentPorts[0]);
        await a1.StartAsync();
        await a1.WaitForDeliveryAsync("n1 delivered");

        var list = await mds.RunAsync(tenantKey, "service", "list", "--json");
        Assert.Equal("web", list.Json["items"]![0]!["name"]!.GetValue<string>());
        var show = await mds.RunAsync(tenantKey, "service", "show", "web");
        Assert.Contains("nodes.total: 2", show.Stdout);
        Assert.Equal(3, (await mds.RunAsync(tenantKey, "service", "show", "nope")).ExitCode);

        var nodes = await mds.RunAsync(tenantKey, "node", "list", "web", "--json");
        Assert.Equal(2, nodes.Json["items"]!.AsArray().Count);
        var delivered = await mds.RunAsync(tenantKey, "node", "list", "web", "--state", "delivered");
        Assert.Contains("n1", delivered.Stdout);
        Assert.DoesNotContain("n2", delivered.Stdout);
        Assert.Equal(2, (await mds.RunAsync(tenantKey, "node", "list", "web", "--state", "sleepy")).ExitCode);

        var deliver = await mds.RunAsync(tenantKey, "node", "deliver", "web", "n1", "--wait", "PT5S", "--json");
        Assert.True(deliver.ExitCode == 0, deliver.ToString());
        Assert.Equal(a1.Accepted[^1].Version, deliver.Json["version"]!.GetValue<string>());
        var timedOut = await mds.RunAsync(tenantKey, "node", "deliver", "web", "n2", "--wait", "PT1S");
        Assert.Equal(5, timedOut.ExitCode); // n2 has no agent
        Assert.Contains("504", timedOut.Stderr);
        Assert.Contains("Last error:", timedOut.Stderr); // why it was not acked, not only that it was not
        Assert.Equal(0, (await mds.RunAsync(tenantKey, "service", "sync", "web")).ExitCode);

        // cluster and sharding (pbm parity)
        var cluster = await mds.RunAsync(admin, "cluster", "show");
        output.WriteLine(cluster.Stdout);
        Assert.Equal(0, cluster.ExitCode);
        Assert.Contains("(self)", cluster.Stdout);
        Assert.Contains("up", cluster.Stdout);
        Assert.Contains("leader", cluster.Stdout);
        var stats = await mds.RunAsync(admin, "sharding", "stats", "--json");
        Assert.Equal(1, stats.Json["members"]![0]!["entities"]!.GetValue<int>());
        var humanStats = await mds.RunAsync(admin, "sharding", "stats");
        output.WriteLine(humanStats.Stdout);
        Assert.Contains("total: 1 shards, 1 entities", humanStats.Stdout);
        Assert.Equal(0, (await mds.RunAsync(admin, "sharding", "regions")).ExitCode);
        Assert.Equal(0, (await mds.RunAsync(admin, "cluster", "down-unreachable")).ExitCode);
        Assert.Equal(3, (await mds.RunAsync(admin, "cluster", "down", "akka.tcp://mds@127.0.0.1:1")).ExitCode);

        // delete, then it is gone
        Assert.Equal(0, (await mds.RunAsync(tenantKey, "service", "delete", "web")).ExitCode);
        Assert.Equal(3, (await mds.RunAsync(tenantKey, "service", "delete", "web")).ExitCode);
    }

    [Fact]
    public async Task Unreachable_api_and_bad_usage_have_their_exit_codes()
    {
        var mds = new CliRunner(new Uri($"http://127.0.0.1:{Ports.Free()}"));
        var unreachable = await mds.RunAsync("k", "tenant", "list");
        Assert.Equal(5, unreachable.ExitCode);
        Assert.Contains("cannot reach", unreachable.Stderr);
        Assert.Equal(2, (await mds.RunAsync("k", "tenant", "frobnicate")).ExitCode);
        Assert.Equal(2, (await mds.RunAsync("k", "node", "show", "only-one-argument")).ExitCode);
        Assert.Equal(2, (await mds.RunAsync("k", "tenant", "list", "--url", "not a url")).ExitCode);
        Assert.Equal(0, (await mds.RunAsync(null, "--help")).ExitCode);
    }

    [Fact]
    public async Task A_usage_error_never_prints_the_key_from_the_environment()
    {
        var mds = new CliRunner(new Uri($"http://127.0.0.1:{Ports.Free()}"));
        const string key = "mds_SecretKeyFromTheEnvironment0123456789abcdef";
        foreach (var args in new[] { new[] { "service", "register", "shop", "--node-mpa", "file:///tmp/n.json" }, ["--help"], ["node", "list"] })
        {
            var result = await mds.RunAsync(key, args);
            Assert.Contains("--key", result.Stdout + result.Stderr); // the help was printed
            Assert.DoesNotContain(key, result.Stdout + result.Stderr);
            Assert.DoesNotContain(key[..12], result.Stdout + result.Stderr);
        }
    }

    [Fact]
    public async Task Tenant_create_prints_the_key_alone_on_stdout_and_service_list_shows_a_broken_node_map()
    {
        using var dir = new TestDirectory();
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        var mds = new CliRunner(host.Args.BaseAddress);
        var created = await mds.RunAsync(host.Args.AdminKey, "tenant", "create", "acme");
        Assert.True(created.ExitCode == 0, created.ToString());
        var tenantKey = created.Stdout.Trim(); // as KEY=$(mds tenant create acme) captures it
        Assert.StartsWith("mds_", tenantKey);
        Assert.DoesNotContain(' ', tenantKey);
        Assert.Contains("shown once", created.Stderr);

        var broken = Path.Combine(dir.Sub("maps"), "broken.json");
        File.WriteAllText(broken, "{\"nodes\": [ {\"id\": \"n1\", ");
        var registered = await mds.RunAsync(tenantKey, "service", "register", "web", "--node-map", new Uri(broken).AbsoluteUri, "--source", "builtin:ca", "--ttl", "PT1H");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        await Eventually.TrueAsync(async () => (await mds.RunAsync(tenantKey, "service", "list")).Stdout.Contains("ERROR:"),
            TimeSpan.FromSeconds(15), "service list shows the node map's error");
        var list = await mds.RunAsync(tenantKey, "service", "list");
        output.WriteLine(list.Stdout);
        Assert.Contains("NODE MAP", list.Stdout);
    }
}
