using System.Diagnostics;
using System.Text.Json.Nodes;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

public sealed class OpenApiTests(ITestOutputHelper output)
{
    private static readonly string[] Routes =
    [
        "post /v1/tenants", "get /v1/tenants", "delete /v1/tenants/{name}", "post /v1/tenants/{name}/keys",
        "post /v1/services", "get /v1/services", "get /v1/services/{name}", "put /v1/services/{name}", "delete /v1/services/{name}",
        "post /v1/services/{name}/sync", "post /v1/services/{name}/secret", "get /v1/services/{name}/nodes",
        "get /v1/services/{name}/nodes/{node}", "post /v1/services/{name}/nodes/{node}/deliveries", "get /v1/services/{name}/nodes/{node}/metadata",
        "get /v1/admin/cluster", "post /v1/admin/cluster/leave", "post /v1/admin/cluster/down", "post /v1/admin/cluster/down-unreachable",
        "get /v1/admin/sharding", "get /healthz/live", "get /healthz/ready", "get /metrics",
    ];

    [Fact]
    public async Task The_document_describes_every_route_and_lints_clean()
    {
        using var dir = new TestDirectory();
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        using var anonymous = host.Operator.WithKey(null);
        var (status, doc, response) = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        var json = await response.Content.ReadAsStringAsync();

        var paths = doc!["paths"]!.AsObject();
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}")).ToHashSet();
        Assert.Empty(Routes.Except(described));
        Assert.Equal("bearer", doc["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        foreach (var route in Routes.Where(r => r.Contains("/v1/")))
        {
            var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
            var op = paths[path]![method]!;
            Assert.NotNull(op["operationId"]);
            Assert.NotNull(op["security"]);
            var codes = op["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains("401", codes);
            Assert.Contains(codes, c => c.StartsWith('2'));
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync("/docs/v1")).Status);

        // lint with the pinned Redocly CLI (installed by build.ps1 test: npm ci --prefix tools/openapi-lint)
        var lintDir = Path.Combine(RepoPaths.Root, "tools", "openapi-lint");
        var cli = Path.Combine(lintDir, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"the OpenAPI linter is not installed: run 'npm ci --prefix {lintDir}' (build.ps1 test does)");
        await File.WriteAllTextAsync(Path.Combine(lintDir, "openapi.json"), json);
        var psi = new ProcessStartInfo("node") { WorkingDirectory = lintDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "lint", "openapi.json", "--format=stylish" }) psi.ArgumentList.Add(a);
        psi.Environment["REDOCLY_TELEMETRY"] = "off";
        psi.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var lint = Process.Start(psi)!;
        var stdout = lint.StandardOutput.ReadToEndAsync();
        var stderr = lint.StandardError.ReadToEndAsync();
        Assert.True(lint.WaitForExit(120_000), "linter did not finish in 2 minutes");
        var report = await stdout + await stderr;
        output.WriteLine(report);
        Assert.Equal(0, lint.ExitCode);
        Assert.DoesNotContain(" warning ", report);
        Assert.DoesNotContain(" error ", report);
        Assert.Contains("valid", report);
    }
}
