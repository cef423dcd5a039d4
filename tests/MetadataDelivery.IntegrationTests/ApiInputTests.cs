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
        { "POST", "/v1/tenants/acme/keys", null, 403 },
        { "GET", "/v1/admin/cluster", null, 403 },
        { "GET", "/v1/admin/sharding", null, 403 },
        { "GET", "/v1/admin/sharding?type=partition", null, 403 },
        { "GET", "/v1/admin/sharding/services/acme/payments", null, 403 },
        { "POST", "/v1/admin/cluster/down-unreachable", null, 403 },
        { "POST", "/v1/admin/cluster/leave", """{"address":"akka.tcp://mds@127.0.0.1:1"}""", 403 },
        { "POST", "/v1/admin/cluster/down", """{"address":"akka.tcp://mds@127.0.0.1:1"}""", 403 },
        // wrong types, one field at a time
        { "POST", "/v1/services", """{"name":"a","nodeMap":5,"metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":"builtin:ca"}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":7,"ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":3600}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","refreshInterval":60}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":[]}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"port":"7070"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"scheme":true}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"maxConcurrency":1e9}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"maxConcurrency":99999999999}}""", 400 },
        { "POST", "/v1/services", """{"name":null,"nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":["a"],"nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        // unknown fields at every level
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","extra":1}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"host":"evil"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"deliverySecret":"mine"}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"tenant":"other"}""", 400 },
        // names
        { "POST", "/v1/services", """{"name":"","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a-","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a b","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"../etc","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"é","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a\u0000b","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        // URIs
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file://relative/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"s3://bucket","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"s3://Bad_Bucket/nodes.json","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"javascript:alert(1)","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"http://","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"http://x/{node","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"https://x/{secret}","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"s3://x/{node}.pem","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"s3://bucket/../{node}.pem","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"data:text/plain,hi","ttl":"PT1H"}}""", 400 },
        { "POST", "/v1/services", "{\"name\":\"a\",\"nodeMap\":\"file:///" + new string('x', 3000) + "\",\"metadata\":{\"source\":\"builtin:ca\",\"ttl\":\"PT1H\"}}", 400 },
        // durations and ranges
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT0S"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"P9999Y"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"99:99:99"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":""}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","renewAt":0}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","renewAt":-1}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H","refreshInterval":"-PT1M"}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"port":0}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"maxConcurrency":-5}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"path":""}}""", 400 },
        { "POST", "/v1/services", """{"name":"a","nodeMap":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"},"delivery":{"path":"/x\ny"}}""", 400 },
        // media type, size, structure
        { "POST", "/v1/services", "name=a", 400 },
        { "POST", "/v1/services", new string(' ', 10) + "{", 400 },
        { "POST", "/v1/services", """{"name":"a","name":"b"}""", 400 },
        { "POST", "/v1/services", """{"name":"a"} trailing""", 400 },
        { "POST", "/v1/services", "\u0000", 400 },
        { "PUT", "/v1/services/payments", "not json", 400 },
        { "PUT", "/v1/services/payments", """{"metadata":{"source":"builtin:ca","ttl":"PT1H"},"nodeMap":"ftp://x"}""", 400 },
        { "PUT", "/v1/services/missing", """{"metadata":{"source":"builtin:ca","ttl":"PT1H"},"nodeMap":"file:///tmp/x"}""", 404 },
        // paths, ids and query strings
        { "GET", "/v1/services/" + new string('a', 300), null, 404 },
        { "GET", "/v1/services/payments/nodes/" + new string('n', 200), null, 404 },
        { "GET", "/v1/services/payments/nodes/a%2Fb", null, 404 },
        { "GET", "/v1/services/PAYMENTS", null, 404 },
        { "GET", "/v1/services/payments/nodes?limit=-1", null, 400 },
        { "GET", "/v1/services/payments/nodes?limit=1001", null, 400 },
        { "GET", "/v1/services/payments/nodes?state=DELIVERED", null, 400 },
        { "GET", "/v1/services?cursor=" + new string('c', 300), null, 400 },
        { "GET", "/v1/services?limit=1.5", null, 400 },
        { "GET", "/v1/services?limit=%20", null, 400 },
        { "POST", "/v1/services/payments/nodes/n1/deliveries?wait=-PT1S", null, 400 },
        { "POST", "/v1/services/payments/nodes/n1/deliveries?wait=PT0S", null, 400 },
        { "POST", "/v1/services/payments/nodes/ghost/deliveries", null, 404 },
        { "POST", "/v1/services/payments/nodes/ghost/deliveries?wait=PT1S", null, 404 },
        { "POST", "/v1/services/missing/sync", null, 404 },
        { "POST", "/v1/services/missing/secret", null, 404 },
        { "GET", "/v1/services/missing/nodes", null, 404 },
        { "GET", "/v1/services/payments/nodes/ghost/metadata", null, 404 },
        { "DELETE", "/v1/services/payments/nodes/n1", null, 405 },
        { "PATCH", "/v1/services/payments", "{}", 405 },
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

    [Theory]
    [InlineData("""{"name":"u7","name":"u8",REST}""", "name", "is given more than once")]
    [InlineData("""{"Name":"u9",REST}""", "Name", "is not a known field")]
    [InlineData("""{"name":"u9","NODEMAP":"file:///tmp/x","metadata":{"source":"builtin:ca","ttl":"PT1H"}}""", "NODEMAP", "is not a known field")]
    [InlineData("""{"name":"u9",REST_TTL_1H}""", "metadata.ttl", "'1h' is not a duration")]
    public async Task Duplicate_and_case_variant_fields_and_a_bad_ttl_are_400_with_the_reason(string template, string field, string message)
    {
        var body = template
            .Replace("REST_TTL_1H", $"\"nodeMap\":\"{fixture.MapUri}\",\"metadata\":{{\"source\":\"builtin:ca\",\"ttl\":\"1h\"}}")
            .Replace("REST", $"\"nodeMap\":\"{fixture.MapUri}\",\"metadata\":{{\"source\":\"builtin:ca\",\"ttl\":\"PT1H\"}}");
        var before = await SnapshotAsync();
        var (status, json, _) = await _acme.SendAsync(HttpMethod.Post, "/v1/services", rawBody: body);
        Assert.Equal(400, (int)status);
        var errors = json!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), json.ToJsonString());
        Assert.StartsWith(message, errors[field]![0]!.GetValue<string>());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var (status, json, response) = await _acme.SendAsync(HttpMethod.Post, "/v1/services", rawBody: "name=a", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(415, (int)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(415, json!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Rate_limited_callers_get_429_with_retry_after_and_others_are_unaffected()
    {
        using var dir = new TestDirectory();
        await using var host = await InProcessHost.StartAsync(dir.Sub("limited"), "--Mds:Api:RateLimitPerSecond=5", "--Mds:Api:RateLimitBurst=10");
        using var noisy = host.Tenant(await host.Operator.CreateTenantAsync("noisy"));
        using var quiet = host.Tenant(await host.Operator.CreateTenantAsync("quiet"));
        var statuses = new List<System.Net.HttpStatusCode>();
        System.Net.Http.HttpResponseMessage? limited = null;
        for (var i = 0; i < 40; i++)
        {
            var (status, _, response) = await noisy.GetAsync("/v1/services");
            statuses.Add(status);
            if (status == System.Net.HttpStatusCode.TooManyRequests) limited ??= response;
        }
        Assert.Contains(System.Net.HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == System.Net.HttpStatusCode.OK) >= 10, "the burst is served");
        Assert.NotNull(limited!.Headers.RetryAfter);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await quiet.GetAsync("/v1/services")).Status);      // another tenant has its own bucket
        using var anonymous = host.Operator.WithKey(null);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync("/healthz/live")).Status); // health is never limited
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
        {
            var (status, body, _) = await _other.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(404, body!["status"]!.GetValue<int>()); // a problem, and none of the other tenant's data
            Assert.Null(body["items"]);
            Assert.Null(body["version"]);
            Assert.Null(body["nodes"]);
        }
        foreach (var path in new[] { "/v1/services/payments/sync", "/v1/services/payments/secret", "/v1/services/payments/nodes/n1/deliveries", "/v1/services/payments/nodes/n1/deliveries?wait=PT1S" })
            Assert.Equal(HttpStatusCode.NotFound, (await _other.PostAsync(path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _other.SendAsync(HttpMethod.Put, "/v1/services/payments", fixture.ValidService("payments"))).Status);
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
