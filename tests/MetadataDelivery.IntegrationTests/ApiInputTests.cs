using System.Net;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>One host with two tenants and one service, shared by the input tests.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    public InProcessHost Host { get; private set; } = null!;
    public ApiClient Acme { get; private set; } = null!;
    public ApiClient Other { get; private set; } = null!;
    public string MapUri { get; private set; } = "";

    public object ValidService(string name) => new { name, nodeMap = MapUri, metadata = new { source = "builtin:ca", ttl = "PT1H" } };

    public async Task InitializeAsync()
    {
        Host = await InProcessHost.StartAsync(_dir.Sub("host"));
        Acme = Host.Tenant(await Host.Operator.CreateTenantAsync("acme"));
        Other = Host.Tenant(await Host.Operator.CreateTenantAsync("other"));
        var map = Path.Combine(_dir.Sub("maps"), "n.json");
        AgentFleet.WriteNodeMap(map, [("n1", "127.0.0.1:1")]);
        MapUri = new Uri(map).AbsoluteUri;
        var (status, _, _) = await Acme.PostAsync("/v1/services", ValidService("payments"));
        Assert.Equal(HttpStatusCode.Created, status);
        await Eventually.TrueAsync(async () => (await Acme.GetOkAsync("/v1/services/payments"))["nodeMap"]!["nodeCount"]!.GetValue<int>() == 1,
            TimeSpan.FromSeconds(10), "node map read");
    }

    public async Task DisposeAsync()
    {
        Acme.Dispose();
        Other.Dispose();
        await Host.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>Bad and hostile requests get a 4xx problem+json, never a 5xx, and change nothing.</summary>
public sealed class ApiInputTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly InProcessHost _host = fixture.Host;
    private readonly ApiClient _acme = fixture.Acme;
    private readonly ApiClient _other = fixture.Other;

    private object ValidService(string name) => fixture.ValidService(name);

    public static TheoryData<string, string, string?, int> BadRequests() => new()
    {
        // method, path, raw body, expected status
        { "POST", "/v1/services", "{", 400 },
        { "POST", "/v1/services", "[]", 400 },
        { "POST", "/v1/services", "null", 400 },
        { "POST", "/v1/services", "", 400 },
        { "POST", "/v1/services", "\"text\"", 400 },
        { "POST", "/v1/services", """{"name":"x","unknown":1}""", 400 },
        { "POST", "/v1/services", """{"name":5}""", 400 },
        { "POST", "/v1/services", """{"name":"UPPER","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1S"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","renewAt":2}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","renewAt":"0.5"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"gopher://x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"file:///etc/passwd","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"port":-1}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"port":1.5}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"path":"/../x"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":{"location":7},"metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", "{\"name\":\"" + new string('a', 70_000) + "\"}", 413 },
        { "POST", "/v1/services", new string('[', 100) + new string(']', 100), 400 },
        { "PUT", "/v1/services/payments", """{"name":"renamed","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "PUT", "/v1/services/payments", """{"metadata":{"source":"builtin:ca","ttl":"forever"}}""", 400 },
        { "GET", "/v1/services?limit=0", null, 400 },
        { "GET", "/v1/services?limit=abc", null, 400 },
        { "GET", "/v1/services?limit=100000", null, 400 },
        { "GET", "/v1/services/payments/nodes?state=bogus", null, 400 },
        { "GET", "/v1/services/missing", null, 404 },
        { "GET", "/v1/services/..%2F..%2Fetc", null, 404 },
        { "GET", "/v1/services/payments/nodes/..%2Fx", null, 404 },
        { "GET", "/v1/services/payments/nodes/nope", null, 404 },
        { "DELETE", "/v1/services/missing", null, 404 },
        { "POST", "/v1/services/payments/nodes/n1/deliveries?wait=forever", null, 400 },
        { "POST", "/v1/services/payments/nodes/n1/deliveries?wait=PT1H", null, 400 },
        { "POST", "/v1/tenants", """{"name":"x"}""", 403 },
        { "GET", "/v1/tenants", null, 403 },
        { "DELETE", "/v1/tenants/acme", null, 403 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_problem_and_changes_nothing(string method, string path, string? body, int expected)
    {
        var before = await SnapshotAsync();
        var (status, json, response) = await _acme.SendAsync(new HttpMethod(method), path, rawBody: body);
        Assert.Equal(expected, (int)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, json!["status"]!.GetValue<int>());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Missing_and_forged_keys_are_401_and_another_tenants_service_is_404()
    {
        using var anonymous = _acme.WithKey(null);
        using var forged = _acme.WithKey("mds_forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/services")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/v1/services/payments")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsync("/v1/tenants", new { name = "evil" })).Status);
        foreach (var path in new[] { "/v1/services/payments", "/v1/services/payments/nodes", "/v1/services/payments/nodes/n1", "/v1/services/payments/nodes/n1/metadata" })
            Assert.Equal(HttpStatusCode.NotFound, (await _other.GetAsync(path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _other.PostAsync("/v1/services/payments/sync")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _other.SendAsync(HttpMethod.Delete, "/v1/services/payments")).Status);
        Assert.Empty((await _other.GetOkAsync("/v1/services"))["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.Operator.GetAsync("/v1/services")).Status);
        // still there for its owner
        Assert.Equal(HttpStatusCode.OK, (await _acme.GetAsync("/v1/services/payments")).Status);
    }

    [Fact]
    public async Task Duplicate_names_conflict_and_a_deleted_name_is_free_again()
    {
        Assert.Equal(HttpStatusCode.Conflict, (await _acme.PostAsync("/v1/services", ValidService("payments"))).Status);
        Assert.Equal(HttpStatusCode.Created, (await _other.PostAsync("/v1/services", ValidService("payments"))).Status); // names are per tenant
        Assert.Equal(HttpStatusCode.NoContent, (await _other.SendAsync(HttpMethod.Delete, "/v1/services/payments")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _other.GetAsync("/v1/services/payments")).Status);
        Assert.Equal(HttpStatusCode.Created, (await _other.PostAsync("/v1/services", ValidService("payments"))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await _host.Operator.PostAsync("/v1/tenants", new { name = "acme" })).Status);
    }

    /// <summary>Everything a client can see: tenants, each tenant's services and their specs and node sets.</summary>
    private async Task<string> SnapshotAsync()
    {
        var tenants = (await _host.Operator.GetOkAsync("/v1/tenants")).ToJsonString();
        var services = await _acme.GetOkAsync("/v1/services");
        foreach (var s in services["items"]!.AsArray())
        {
            s!["nodeMap"]!.AsObject().Remove("syncedAt"); // moves with every periodic re-read
            s.AsObject().Remove("nodes");                 // delivery progress is not a state change of the request
        }
        var nodes = (await _acme.GetOkAsync("/v1/services/payments/nodes"))["items"]!.AsArray().Select(n => n!["node"]!.ToJsonString());
        return tenants + services.ToJsonString() + string.Join(",", nodes);
    }
}
