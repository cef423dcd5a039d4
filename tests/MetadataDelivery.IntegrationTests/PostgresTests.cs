using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class PostgresTests
{
    [Fact]
    public async Task A_member_on_postgres_delivers_and_keeps_everything_across_a_kill()
    {
        using var dir = new TestDirectory();
        await using var pg = await PostgresServer.StartAsync(dir.Sub("pg"));
        var args = HostArgs.Fresh(dir.Sub("host"));
        await using var host = new HostProcess(args, Path.Combine(dir.Path, "host.log"), pg.HostArgs);
        await host.StartAsync();
        using var tenant = host.Operator.WithKey(await host.Operator.CreateTenantAsync("acme"));
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "pg", nodes: 5, dir, ttl: "PT30S", renewAt: 0.5);
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Count >= 1)), TimeSpan.FromSeconds(15), "delivered on postgres");

        host.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await host.StartAsync();
        var service = await tenant.GetOkAsync("/v1/services/pg");
        Assert.Equal(5, service["nodes"]!["total"]!.GetValue<int>());
        // outcomes are journaled in 200 ms batches: one acked just before the kill may be delivered again (at least once)
        await Eventually.TrueAsync(async () => (await tenant.GetOkAsync("/v1/services/pg"))["nodes"]!["delivered"]!.GetValue<int>() == 5,
            TimeSpan.FromSeconds(15), "all 5 delivered after the restart");
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Any(p => p.At > killedAt))), TimeSpan.FromSeconds(30), "renewals resume after the restart");
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync($"/v1/services/pg/nodes/{fleet.Agents[0].Node}/metadata")).Status);
    }
}
