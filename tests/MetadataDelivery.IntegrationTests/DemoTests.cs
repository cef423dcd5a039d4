using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>README command 1: the host with --demo delivers to its whole demo fleet within 30 s, and its /metrics does not
/// count requests served by other hosts in its process (the demo fleet, an agent) as the member's.</summary>
public sealed class DemoTests
{
    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public async Task Demo_fleet_is_all_delivered_through_the_api_within_30_seconds()
    {
        using var dir = new TestDirectory();
        var dataDir = dir.Sub("host");
        await using var host = await InProcessHost.StartAsync(dataDir, "--demo");
        var keyFile = Path.Combine(dataDir, "demo", "tenant.key");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(keyFile)), TimeSpan.FromSeconds(15), "demo tenant created");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile)); // a key, readable by its owner only
        using var demo = host.Tenant(File.ReadAllText(keyFile).Trim());
        await Eventually.TrueAsync(async () =>
        {
            var (status, body, _) = await demo.GetAsync("/v1/services/demo-fleet");
            return status == System.Net.HttpStatusCode.OK && body!["nodes"]!["delivered"]!.GetValue<int>() == 300
                && body["nodes"]!["total"]!.GetValue<int>() == 300;
        }, TimeSpan.FromSeconds(30), "all 300 demo nodes delivered");

        // A real agent in the same process serves a request on its push route, as other tests' agents do while this runs.
        await using var agent = new TestAgent("n1", dir.Sub("agent"), "demo", "demo-fleet", "c2VjcmV0");
        await agent.StartAsync();
        using (var http = new HttpClient())
        {
            var answer = await http.PostAsync($"http://{agent.Address}/v1/metadata", new StringContent("{}"));
            Assert.InRange((int)answer.StatusCode, 400, 499); // refused, but routed: ASP.NET Core records it
        }

        // The demo fleet's agents and the agent above run in the member's process; /metrics counts the member's own requests only.
        var metrics = await (await host.Operator.GetAsync("/metrics")).Response.Content.ReadAsStringAsync();
        Assert.Contains("http_route=\"/v1/services/{name}\"", metrics);
        Assert.DoesNotContain("http_route=\"/v1/metadata\"", metrics); // the simulated agents' push route
    }
}
