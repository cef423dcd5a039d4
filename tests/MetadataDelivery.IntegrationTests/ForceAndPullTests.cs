using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class ForceAndPullTests
{
    [Fact]
    public async Task Forced_delivery_with_wait_returns_the_version_the_agent_now_holds()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "force", nodes: 3, dir, ttl: "PT1H", renewAt: 0.66);
        var agent = fleet.Agents[1];
        await agent.WaitForDeliveryAsync("first delivery");
        var before = agent.Accepted[^1].Version;

        var (status, body, _) = await tenant.PostAsync($"/v1/services/force/nodes/{agent.Node}/deliveries?wait=PT5S");
        Assert.Equal(HttpStatusCode.OK, status);
        var version = body!["version"]!.GetValue<string>();
        Assert.NotEqual(before, version); // a fresh fetch: builtin:ca issued a new certificate
        Assert.Equal(version, agent.Accepted[^1].Version);
        Assert.Equal(body["deliveryId"]!.GetValue<string>(), agent.Accepted[^1].DeliveryId);
        var held = Envelope.FromJson(File.ReadAllBytes(Path.Combine(agent.DataDir, "acme", "force", "envelope.json")))!;
        Assert.Equal(version, held.Version);
        var payload = File.ReadAllText(Path.Combine(agent.DataDir, "acme", "force", "payload"));
        Assert.Contains("BEGIN CERTIFICATE", payload);
        Assert.Contains("BEGIN PRIVATE KEY", payload);

        var (accepted, acceptedBody, _) = await tenant.PostAsync($"/v1/services/force/nodes/{agent.Node}/deliveries");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        Assert.False(string.IsNullOrEmpty(acceptedBody!["deliveryId"]!.GetValue<string>()));

        var (missing, problem, response) = await tenant.PostAsync("/v1/services/force/nodes/nope/deliveries?wait=PT1S");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_forced_delivery_supersedes_an_attempt_in_flight_and_that_attempts_late_report_changes_nothing()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var issuer = await TestIssuer.StartAsync();
        issuer.Content["node-001"] = "metadata of node-001";
        issuer.HoldNextFetch(); // the first attempt hangs in its fetch
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "race", nodes: 1, dir, ttl: "PT1H", source: issuer.Template);
        var agent = fleet.Agents[0];
        await Eventually.TrueAsync(() => Task.FromResult(issuer.Held == 1), TimeSpan.FromSeconds(10), "first attempt waiting on its fetch");

        // The partition abandons the running attempt (its worker stops and reports it failed) and starts the forced one.
        var (status, body, _) = await tenant.PostAsync($"/v1/services/race/nodes/{agent.Node}/deliveries?wait=PT10S");
        Assert.True(status == HttpStatusCode.OK, $"force → {(int)status}: {body?.ToJsonString()}");
        var forcedId = body!["deliveryId"]!.GetValue<string>();
        var version = body["version"]!.GetValue<string>();
        issuer.ReleaseHeld(); // too late: the abandoned attempt was cancelled with its worker

        // Whatever the abandoned attempt reports arrives after the forced one started: it must count for nothing.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var node = await tenant.GetOkAsync($"/v1/services/race/nodes/{agent.Node}");
        Assert.Equal("delivered", node["state"]!.GetValue<string>());
        Assert.Equal(version, node["version"]!.GetValue<string>());
        Assert.Equal(0, node["attempts"]!.GetValue<int>());
        Assert.Null(node["lastError"]?.GetValue<string>());
        var push = Assert.Single(agent.Accepted);
        Assert.Equal(forcedId, push.DeliveryId);
        Assert.Equal(version, push.Version);
        Assert.Equal(1, issuer.Held);
    }

    [Fact]
    public async Task A_node_removed_while_its_attempt_is_in_flight_gets_nothing_from_that_attempt()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var issuer = await TestIssuer.StartAsync();
        issuer.Content["node-001"] = "metadata of node-001";
        issuer.HoldFetches(); // the first attempt hangs in its fetch, and so would a retry if it timed out
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "leaving", nodes: 1, dir, ttl: "PT1H", source: issuer.Template);
        var agent = fleet.Agents[0];
        await Eventually.TrueAsync(() => Task.FromResult(issuer.Held >= 1), TimeSpan.FromSeconds(10), "first attempt waiting on its fetch");

        // The map loses node-001 (another node keeps it non-empty); the partition drops the node and stops its attempt.
        AgentFleet.WriteNodeMap(fleet.NodeMapPath, [("node-002", "127.0.0.1:1")]);
        var (synced, _, _) = await tenant.PostAsync("/v1/services/leaving/sync");
        Assert.Equal(HttpStatusCode.Accepted, synced);
        await Eventually.TrueAsync(async () => (await tenant.GetAsync($"/v1/services/leaving/nodes/{agent.Node}")).Status == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10), "node-001 removed");
        issuer.ReleaseHeld(); // too late: the node's attempts were cancelled with their workers

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(agent.Pushes);
        var (pulled, _, _) = await tenant.GetAsync($"/v1/services/leaving/nodes/{agent.Node}/metadata");
        Assert.Equal(HttpStatusCode.NotFound, pulled); // no envelope kept for a node that is gone
    }

    [Fact]
    public async Task After_a_secret_rotation_agents_with_either_secret_accept_pushes_during_the_grace()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "rot", nodes: 2, dir, ttl: "PT1H");
        await Eventually.TrueAsync(() => Task.FromResult(fleet.Agents.All(a => a.Accepted.Count >= 1)), TimeSpan.FromSeconds(10), "first deliveries");

        var (status, body, _) = await tenant.PostAsync("/v1/services/rot/secret");
        Assert.Equal(HttpStatusCode.OK, status);
        var rotated = body!["deliverySecret"]!.GetValue<string>();
        Assert.NotEqual(fleet.Secret, rotated);

        // node-001 keeps the old secret; node-002's agent is reconfigured with only the new one
        var updated = fleet.Agents[1];
        await updated.StopAsync();
        await using var reconfigured = new TestAgent(updated.Node, updated.DataDir, "acme", "rot", rotated, port: updated.Port);
        await reconfigured.StartAsync();
        foreach (var node in new[] { fleet.Agents[0].Node, updated.Node })
        {
            var (forced, answer, _) = await tenant.PostAsync($"/v1/services/rot/nodes/{node}/deliveries?wait=PT5S");
            Assert.True(forced == HttpStatusCode.OK, $"{node}: {(int)forced} {answer?.ToJsonString()}");
        }
        Assert.Equal(2, fleet.Agents[0].Accepted.Count);
        Assert.Single(reconfigured.Accepted);
    }

    [Fact]
    public async Task Forced_delivery_to_an_unreachable_node_times_out_with_504()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "gone", nodes: 1, dir, ttl: "PT1H");
        await fleet.Agents[0].WaitForDeliveryAsync("first delivery");
        await fleet.Agents[0].StopAsync();
        var (status, body, _) = await tenant.PostAsync($"/v1/services/gone/nodes/{fleet.Agents[0].Node}/deliveries?wait=PT2S");
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal(504, body!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_node_that_was_down_pulls_what_it_missed()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "pull", nodes: 1, dir, ttl: "PT1H", apiUrl: host.Args.BaseAddress.ToString());
        var agent = fleet.Agents[0];
        await agent.WaitForDeliveryAsync("first delivery");

        // with the tenant key
        var (status, body, _) = await tenant.GetAsync($"/v1/services/pull/nodes/{agent.Node}/metadata");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(agent.Accepted[^1].Version, body!["version"]!.GetValue<string>());

        // with the node's own signature over an empty body
        using var anonymous = tenant.WithKey(null);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient { BaseAddress = host.Args.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/services/pull/nodes/{agent.Node}/metadata?tenant=acme");
        request.Headers.Add(PushSignature.TimestampHeader, ts.ToString());
        request.Headers.Add(PushSignature.SignatureHeader, PushSignature.Sign(fleet.Secret, ts, ReadOnlySpan<byte>.Empty));
        var signed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var envelopeBytes = await signed.Content.ReadAsByteArrayAsync();
        Assert.Equal(PushSignature.Verdict.Valid, PushSignature.Verify([fleet.Secret],
            signed.Headers.GetValues(PushSignature.TimestampHeader).Single(), signed.Headers.GetValues(PushSignature.SignatureHeader).Single(),
            envelopeBytes, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));

        // a forged signature gets nothing
        var forged = new HttpRequestMessage(HttpMethod.Get, $"/v1/services/pull/nodes/{agent.Node}/metadata?tenant=acme");
        forged.Headers.Add(PushSignature.TimestampHeader, ts.ToString());
        forged.Headers.Add(PushSignature.SignatureHeader, PushSignature.Sign("wrong", ts, ReadOnlySpan<byte>.Empty));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);

        // the agent's data is lost while it is down; on start it pulls the current envelope by itself
        await agent.StopAsync();
        Directory.Delete(agent.DataDir, recursive: true);
        var newest = agent.Accepted[^1].Version;
        await agent.StartAsync();
        var envelopePath = Path.Combine(agent.DataDir, "acme", "pull", "envelope.json");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(envelopePath)), TimeSpan.FromSeconds(10), "agent pulled on start");
        Assert.Equal(newest, Envelope.FromJson(File.ReadAllBytes(envelopePath))!.Version);
    }

    [Fact]
    public async Task A_node_whose_agent_pulls_and_acknowledges_at_start_is_shown_delivered_and_a_pull_alone_or_a_bad_ack_is_not()
    {
        await using var bed = await TenantHost.StartAsync();
        var (dir, host, tenant) = bed;
        await using var fleet = await AgentFleet.RegisterAsync(tenant, "acme", "late", nodes: 1, dir, ttl: "PT1H",
            apiUrl: host.Args.BaseAddress.ToString(), startAgents: false);
        var agent = fleet.Agents[0];
        var nodePath = $"/v1/services/late/nodes/{agent.Node}";

        // Pushes fail while the agent is down; wait for a retry far enough ahead to tell a pull from that retry.
        DateTimeOffset nextRetry = default;
        await Eventually.TrueAsync(async () =>
        {
            var (status, view, _) = await tenant.GetAsync(nodePath); // 404 until the node map is read
            if (status != HttpStatusCode.OK || view!["state"]!.GetValue<string>() != "retrying" || view["nextAttemptAt"] is null) return false;
            nextRetry = DateTimeOffset.Parse(view["nextAttemptAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            return nextRetry - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(12);
        }, TimeSpan.FromSeconds(120), "a retry at least 12 s ahead");

        // A pull alone, or an acknowledgement that is not the node's own current version, changes nothing.
        using var http = new HttpClient { BaseAddress = host.Args.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Signed(HttpMethod.Get, $"{nodePath}/metadata?tenant=acme", fleet.Secret, []))).StatusCode);
        var wrongVersion = Encoding.UTF8.GetBytes($"{{\"node\":\"{agent.Node}\",\"version\":\"sha256:{new string('0', 64)}\"}}");
        Assert.Equal(HttpStatusCode.Conflict, (await http.SendAsync(Signed(HttpMethod.Post, $"{nodePath}/acks?tenant=acme", fleet.Secret, wrongVersion))).StatusCode);
        var otherNode = Encoding.UTF8.GetBytes("{\"node\":\"node-999\",\"version\":\"sha256:x\"}");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Signed(HttpMethod.Post, $"{nodePath}/acks?tenant=acme", fleet.Secret, otherNode))).StatusCode);
        var forged = Encoding.UTF8.GetBytes($"{{\"node\":\"{agent.Node}\",\"version\":\"sha256:x\"}}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Signed(HttpMethod.Post, $"{nodePath}/acks?tenant=acme", "not-the-secret", forged))).StatusCode);
        Assert.Equal("retrying", (await tenant.GetOkAsync(nodePath))["state"]!.GetValue<string>());

        await agent.StartAsync(); // pulls what it missed, then acknowledges what it stored
        JsonNode? shown = null;
        await Eventually.TrueAsync(async () =>
        {
            shown = await tenant.GetOkAsync(nodePath);
            return shown["state"]!.GetValue<string>() == "delivered";
        }, TimeSpan.FromSeconds(10), "node shown delivered after its agent pulled");
        Assert.True(DateTimeOffset.UtcNow < nextRetry, "delivered by the pull, before the retry was due");
        Assert.Empty(agent.Accepted); // no push was needed
        var held = Envelope.FromJson(File.ReadAllBytes(Path.Combine(agent.DataDir, "acme", "late", "envelope.json")))!;
        Assert.Equal(held.Version, shown!["version"]!.GetValue<string>());
        Assert.Equal(0, shown["attempts"]!.GetValue<int>());
        Assert.True(DateTimeOffset.Parse(shown["nextAttemptAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.UtcNow.AddMinutes(20), "the renewal is scheduled at renewAt of the lifetime, not as a retry");
    }

    private static HttpRequestMessage Signed(HttpMethod method, string path, string secret, byte[] body)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(method, path);
        if (body.Length > 0) request.Content = new ByteArrayContent(body);
        request.Headers.Add(PushSignature.TimestampHeader, ts.ToString());
        request.Headers.Add(PushSignature.SignatureHeader, PushSignature.Sign(secret, ts, body));
        return request;
    }
}
