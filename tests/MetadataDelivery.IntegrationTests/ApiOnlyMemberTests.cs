using System.Net;
using MetadataDelivery.Fleet;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>A member with only the <c>api</c> role hosts no ServiceActors: it reaches them through a sharding proxy.</summary>
public sealed class ApiOnlyMemberTests
{
    [Fact]
    public async Task An_api_only_member_serves_the_api_while_delivery_runs_on_the_delivery_member()
    {
        using var dir = new TestDirectory();
        await using var pg = await PostgresServer.StartAsync(dir.Sub("pg"));
        var adminKey = "mds_admin_api_" + Guid.NewGuid().ToString("N");
        var delivery = new HostArgs(dir.Sub("delivery"), Ports.Free(), Ports.Free(), adminKey);
        var api = new HostArgs(dir.Sub("api"), Ports.Free(), Ports.Free(), adminKey);
        var seeds = $"akka.tcp://mds@127.0.0.1:{delivery.AkkaPort}";
        string[] common = [.. pg.HostArgs, $"--Mds:Cluster:Seeds={seeds}"];
        await using var deliveryMember = new HostProcess(delivery, Path.Combine(dir.Path, "delivery.log"), [.. common, "--Mds:Cluster:Roles=delivery"]);
        await using var apiMember = new HostProcess(api, Path.Combine(dir.Path, "api.log"), [.. common, "--Mds:Cluster:Roles=api"]);
        await deliveryMember.StartAsync();
        await apiMember.StartAsync();

        IReadOnlyList<string> secrets = [];
        await using var fleet = await FleetSimulator.StartAsync(0, "/v1/metadata", (_, _) => secrets);
        using var tenant = apiMember.Operator.WithKey(await apiMember.Operator.CreateTenantAsync("acme"));
        var map = Path.Combine(dir.Sub("maps"), "m.json");
        AgentFleet.WriteNodeMap(map, Enumerable.Range(0, 10).Select(i => ($"n{i}", $"127.0.0.1:{fleet.Port}")));
        var (status, body, _) = await tenant.PostAsync("/v1/services", new { name = "svc", nodeMap = new Uri(map).AbsoluteUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } });
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        secrets = [body!["deliverySecret"]!.GetValue<string>()];
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Held.Count == 10), TimeSpan.FromSeconds(20), "all 10 delivered");

        var sharding = await apiMember.Operator.GetOkAsync("/v1/admin/sharding");
        var hosting = sharding["members"]!.AsArray().Where(m => m!["entities"]!.GetValue<int>() > 0).Select(m => m!["address"]!.GetValue<string>()).ToList();
        Assert.Equal([$"akka.tcp://mds@127.0.0.1:{delivery.AkkaPort}"], hosting); // the service runs only on the delivery member
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/svc"))["nodes"]!["delivered"]!.GetValue<int>() == 10,
            TimeSpan.FromSeconds(5), "the service's counts (summed from partition reports, up to a second behind) show all 10 delivered");
        var cluster = await apiMember.Operator.GetOkAsync("/v1/admin/cluster");
        Assert.Contains(cluster["members"]!.AsArray(), m => m!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).SequenceEqual(["api"]));
    }
}
