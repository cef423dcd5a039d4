using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>Registers a service over the API with a file node map pointing at real agents on loopback, then starts them.</summary>
public sealed class AgentFleet : IAsyncDisposable
{
    public List<TestAgent> Agents { get; } = [];
    public string Secret { get; private set; } = "";
    public string NodeMapPath { get; }
    public string Service { get; }
    public string Tenant { get; }

    private AgentFleet(string tenant, string service, string nodeMapPath)
    {
        Tenant = tenant;
        Service = service;
        NodeMapPath = nodeMapPath;
    }

    public static async Task<AgentFleet> RegisterAsync(ApiClient tenantApi, string tenant, string service, int nodes, TestDirectory dir,
        string ttl = "PT10S", double renewAt = 0.5, string source = "builtin:ca", string? apiUrl = null, int maxConcurrency = 64,
        bool startAgents = true)
    {
        var ports = Enumerable.Range(0, nodes).Select(_ => Ports.Free()).ToList();
        var mapPath = Path.Combine(dir.Sub("maps"), service + ".json");
        WriteNodeMap(mapPath, ports.Select((p, i) => ($"node-{i + 1:D3}", $"127.0.0.1:{p}")));
        var fleet = new AgentFleet(tenant, service, mapPath);

        var (status, body, _) = await tenantApi.PostAsync("/v1/services", new
        {
            name = service,
            nodeMap = new Uri(mapPath).AbsoluteUri,
            metadata = new { source, ttl, renewAt },
            delivery = new { scheme = "http", port = 7070, path = "/v1/metadata", maxConcurrency },
        });
        Assert.True(status == System.Net.HttpStatusCode.Created, $"register → {(int)status}: {body?.ToJsonString()}");
        fleet.Secret = body!["deliverySecret"]!.GetValue<string>();

        for (var i = 0; i < nodes; i++)
            fleet.Agents.Add(new TestAgent($"node-{i + 1:D3}", dir.Sub($"agents/{service}/{i}"), tenant, service, fleet.Secret, apiUrl, ports[i]));
        if (startAgents) await Task.WhenAll(fleet.Agents.Select(a => a.StartAsync()));
        return fleet;
    }

    public static void WriteNodeMap(string path, IEnumerable<(string Id, string Address)> nodes)
    {
        var json = new JsonObject { ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)new JsonObject { ["id"] = n.Id, ["address"] = n.Address }).ToArray()) };
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, json.ToJsonString());
        File.Move(tmp, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var a in Agents) await a.DisposeAsync();
    }
}
