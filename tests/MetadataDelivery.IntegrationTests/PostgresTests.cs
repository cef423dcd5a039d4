using System.Net;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Storage;
using MetadataDelivery.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

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
        // Pull serves the envelope as pushed: one this agent accepted, for this node.
        var agent = fleet.Agents[0];
        var (pulled, envelope, _) = await tenant.GetAsync($"/v1/services/pg/nodes/{agent.Node}/metadata");
        Assert.Equal(HttpStatusCode.OK, pulled);
        Assert.Equal(agent.Node, envelope!["node"]!.GetValue<string>());
        var version = envelope["version"]!.GetValue<string>();
        // The envelope is stored before its push: a renewal's may be served a moment before the agent has it.
        await Eventually.TrueAsync(() => Task.FromResult(agent.Accepted.Any(p => p.Version == version)), TimeSpan.FromSeconds(5), "the pulled version was pushed");
    }

    [Fact]
    public async Task The_postgres_envelope_store_applies_a_batch_in_order_and_stores_only_each_envelopes_own_bytes()
    {
        using var dir = new TestDirectory();
        await using var pg = await PostgresServer.StartAsync(dir.Sub("pg"));
        await using var db = NpgsqlDataSource.Create(pg.ConnectionString);
        await using var store = new PostgresEnvelopeStore(db, NullLogger<PostgresEnvelopeStore>.Instance);
        var payments = new ServiceKey("acme", "payments");
        var billing = new ServiceKey("acme", "billing");

        // Envelopes as the pooled buffers hold them: a slice of a larger array, with other bytes around it.
        static ReadOnlyMemory<byte> Slice(string text) => ("xx" + text + "yy").Select(c => (byte)c).ToArray().AsMemory(2, text.Length);
        await Task.WhenAll(
            store.SaveAsync(payments, "n1", Slice("first of n1")),
            store.SaveAsync(payments, "n1", Slice("second of n1")), // queued after the first: it wins
            store.SaveAsync(payments, "n2", Slice("n2")),
            store.SaveAsync(payments, "n3", Slice("n3")),
            store.SaveAsync(billing, "n1", Slice("billing n1")));
        Assert.Equal("second of n1", Text(await store.GetAsync(payments, "n1")));
        Assert.Equal("n2", Text(await store.GetAsync(payments, "n2")));

        await store.DeleteNodesAsync(payments, ["n1", "n2"]);
        Assert.Null(await store.GetAsync(payments, "n1"));
        Assert.Null(await store.GetAsync(payments, "n2"));
        Assert.Equal("n3", Text(await store.GetAsync(payments, "n3")));

        await store.DeleteServiceAsync(payments);
        Assert.Null(await store.GetAsync(payments, "n3"));
        Assert.Equal("billing n1", Text(await store.GetAsync(billing, "n1")));
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : new string(bytes.Select(b => (char)b).ToArray());
}
