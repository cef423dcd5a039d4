using System.Diagnostics;
using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>No hot partition: one 200,000-node service on a three-member cluster spreads its node partitions
/// over all three members, as the admin sharding view and the CLI show.</summary>
public sealed class PartitionSpreadTests(ITestOutputHelper output)
{
    /// <summary>200,000 in the suite; MDS_SPREAD_NODES=1000000 runs the 1M-node case by hand.</summary>
    private static readonly int Nodes = int.TryParse(Environment.GetEnvironmentVariable("MDS_SPREAD_NODES"), out var n) ? n : 200_000;
    private const int NodesPerPartition = 10_000; // 200k → 20 needed → 32 partitions; 1M → 128
    private static readonly int ExpectedPartitions = MetadataDelivery.Domain.Partitions.NodePartitioning.CountFor(Nodes, NodesPerPartition, 1);

    [Fact]
    public async Task A_200k_node_service_spreads_its_partitions_over_all_three_members()
    {
        using var dir = new TestDirectory();
        await using var pg = await PostgresServer.StartAsync(dir.Sub("pg"));
        // Fetches hang until their timeout and nodes listen nowhere: this test is about placement, not delivery.
        await using var silentSource = new SilentHttpServer();
        var closedPort = Ports.Free();
        var adminKey = "mds_admin_spread_" + Guid.NewGuid().ToString("N");
        var members = Enumerable.Range(0, 3).Select(i => new HostArgs(dir.Sub($"m{i}"), Ports.Free(), Ports.Free(), adminKey)).ToArray();
        var seeds = string.Join(",", members.Take(ClusterFailoverTests.SeedCount).Select(m => $"akka.tcp://mds@127.0.0.1:{m.AkkaPort}"));
        string[] common =
        [
            .. pg.HostArgs,
            $"--Mds:Cluster:Seeds={seeds}", $"--Mds:Cluster:StableAfter={ClusterFailoverTests.StableAfter}", $"--Mds:Cluster:Roles={ClusterFailoverTests.Roles}",
            $"--Mds:Delivery:NodesPerPartition={NodesPerPartition}",
        ];
        var hosts = members.Select((m, i) => new HostProcess(m, Path.Combine(dir.Path, $"m{i}.log"), common)).ToArray();
        try
        {
            await hosts[0].StartAsync();
            await Task.WhenAll(hosts.Skip(1).Select(h => h.StartAsync()));
            var api = hosts[0].Operator;
            await Eventually.TrueAsync(async () =>
            {
                var (status, body, _) = await api.GetAsync("/v1/admin/cluster");
                return status == HttpStatusCode.OK && body!["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "up") == 3;
            }, TimeSpan.FromSeconds(90), "3 members up", TimeSpan.FromMilliseconds(250));

            var map = Path.Combine(dir.Sub("maps"), "big.json");
            AgentFleet.WriteNodeMap(map, Enumerable.Range(0, Nodes).Select(n => ($"node-{n:D6}", $"127.0.0.1:{closedPort}")));
            using var tenant = api.WithKey(await api.CreateTenantAsync("acme"));
            var clock = Stopwatch.StartNew();
            var (created, body, _) = await tenant.PostAsync("/v1/services", new
            {
                name = "big", nodeMap = new Uri(map).AbsoluteUri,
                metadata = new { source = $"http://127.0.0.1:{silentSource.Port}/{{node}}", ttl = "PT1H" },
                delivery = new { maxConcurrency = 32 },
            });
            Assert.True(created == HttpStatusCode.Created, body?.ToJsonString());
            await Eventually.TrueAsync(async () =>
            {
                var (status, service, _) = await tenant.GetAsync("/v1/services/big");
                return status == HttpStatusCode.OK && service!["nodeMap"]!["nodeCount"]!.GetValue<int>() == Nodes
                    && service["nodes"]!["total"]!.GetValue<int>() == Nodes;
            }, TimeSpan.FromSeconds(Nodes / 1000 + 60), "the map applied by every partition", TimeSpan.FromSeconds(1));
            output.WriteLine($"registration → {Nodes:N0} nodes held by their {ExpectedPartitions} partitions: {clock.Elapsed.TotalSeconds:0.0} s");

            var placement = await api.GetOkAsync("/v1/admin/sharding/services/acme/big");
            var partitions = placement["partitions"]!.AsArray();
            Assert.Equal(ExpectedPartitions, partitions.Count);
            Assert.Equal(Nodes, partitions.Sum(p => p!["nodes"]!.GetValue<int>()));
            var perMember = placement["partitionsPerMember"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>());
            output.WriteLine("partitions per member: " + string.Join(", ", perMember.Select(kv => $"{kv.Key} {kv.Value}")));
            Assert.Equal(members.Select(m => $"akka.tcp://mds@127.0.0.1:{m.AkkaPort}").Order(), perMember.Keys.Order());
            Assert.All(perMember.Values, count => Assert.InRange(count, 1, ExpectedPartitions));

            // the same through the CLI, from another member
            var mds = new CliRunner(members[1].BaseAddress);
            var cli = await mds.RunAsync(adminKey, "sharding", "partitions", "acme/big");
            output.WriteLine(cli.Stdout);
            Assert.Equal(0, cli.ExitCode);
            Assert.All(perMember.Keys, member => Assert.Contains(member, cli.Stdout));
            var stats = await mds.RunAsync(adminKey, "sharding", "stats", "--type", "partition", "--json");
            Assert.Equal(0, stats.ExitCode);
            Assert.Equal(ExpectedPartitions, stats.Json["members"]!.AsArray().Sum(m => m!["entities"]!.GetValue<int>()));
            Assert.Equal(3, stats.Json["members"]!.AsArray().Count(m => m!["entities"]!.GetValue<int>() > 0));
        }
        finally
        {
            foreach (var h in hosts) await h.DisposeAsync();
        }
    }
}
