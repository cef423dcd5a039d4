using System.CommandLine;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

public static class ServiceCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var service = new Command("service", "Manage the tenant's services (tenant key)");
        var name = new Argument<string>("name") { Description = "Service name" };

        service.Subcommands.Add(Register(name, stdout, stderr));

        var list = new Command("list", "List all services (follows every page)");
        list.Runs(async (p, c, ct) =>
            c.Render(await c.Api.GetAllPagesAsync("/v1/services", ct), a => c.Out.Table(
                ["name", "source", "ttl", "nodes", "delivered", "retrying", "expired", "node map"],
                a.Body!["items"]!.AsArray().Select(s => new[]
                {
                    Output.Scalar(s!["name"]), Output.Scalar(s["metadata"]!["source"]), Output.Scalar(s["metadata"]!["ttl"]),
                    Output.Scalar(s["nodes"]!["total"]), Output.Scalar(s["nodes"]!["delivered"]), Output.Scalar(s["nodes"]!["retrying"]), Output.Scalar(s["nodes"]!["expired"]),
                    NodeMapHealth(s["nodeMap"]),
                }))), stdout, stderr);
        service.Subcommands.Add(list);

        var show = new Command("show", "Show a service, its node counts and node-map status") { name };
        show.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, Path(p.GetValue(name)!), ct: ct),
            a => c.Out.Properties((JsonObject)a.Body!)), stdout, stderr);
        service.Subcommands.Add(show);

        var delete = new Command("delete", "Delete a service: deliveries stop") { name };
        delete.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Delete, Path(p.GetValue(name)!), ct: ct),
            _ => c.Out.Line($"service {p.GetValue(name)} deleted")), stdout, stderr);
        service.Subcommands.Add(delete);

        var sync = new Command("sync", "Re-read the service's node map now") { name };
        sync.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, Path(p.GetValue(name)!) + "/sync", ct: ct),
            _ => c.Out.Line($"sync of {p.GetValue(name)} requested")), stdout, stderr);
        service.Subcommands.Add(sync);

        var rotate = new Command("rotate-secret", "Rotate the push secret (the old one stays valid 10 minutes)") { name };
        rotate.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, Path(p.GetValue(name)!) + "/secret", ct: ct),
            a => c.Out.Properties((JsonObject)a.Body!)), stdout, stderr);
        service.Subcommands.Add(rotate);
        return service;
    }

    public static string Path(string name) => "/v1/services/" + Uri.EscapeDataString(name);

    private static Command Register(Argument<string> name, TextWriter stdout, TextWriter stderr)
    {
        var nodeMap = new Option<string?>("--node-map") { Description = "s3://bucket/key or file:///path of the node list" };
        var source = new Option<string?>("--source") { Description = "Metadata source: http(s) URI template with {service} {node} {tenant}, or builtin:ca" };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime of an item, e.g. PT1H" };
        var renewAt = new Option<double?>("--renew-at") { Description = "Fraction of the lifetime after which to renew (0.1-0.95, default 0.66)" };
        var refresh = new Option<string?>("--refresh-interval") { Description = "Re-fetch dynamic metadata this often, e.g. PT5M" };
        var scheme = new Option<string?>("--scheme") { Description = "Push scheme: http or https (default http)" };
        var port = new Option<int?>("--port") { Description = "Agent port (default 7070)" };
        var path = new Option<string?>("--path") { Description = "Agent path (default /v1/metadata)" };
        var concurrency = new Option<int?>("--max-concurrency") { Description = "Concurrent deliveries for this service (default 256)" };
        var file = new Option<FileInfo?>("--file") { Description = "Read the whole service body (JSON, as for POST /v1/services) from a file" };
        var register = new Command("register", "Register a service and print its deliverySecret (shown once)")
            { name, nodeMap, source, ttl, renewAt, refresh, scheme, port, path, concurrency, file };
        register.Runs(async (p, c, ct) =>
        {
            object body;
            if (p.GetValue(file) is { } f)
            {
                if (!f.Exists) { c.Out.Error($"{f.FullName} does not exist"); return ExitCodes.Usage; }
                var json = JsonNode.Parse(await File.ReadAllTextAsync(f.FullName, ct)) as JsonObject;
                if (json is null) { c.Out.Error($"{f.FullName} is not a JSON object"); return ExitCodes.Usage; }
                json["name"] = p.GetValue(name);
                body = json.ToJsonString();
            }
            else
            {
                body = new
                {
                    name = p.GetValue(name),
                    nodeMap = p.GetValue(nodeMap),
                    metadata = new { source = p.GetValue(source), ttl = p.GetValue(ttl), renewAt = p.GetValue(renewAt), refreshInterval = p.GetValue(refresh) },
                    delivery = new { scheme = p.GetValue(scheme), port = p.GetValue(port), path = p.GetValue(path), maxConcurrency = p.GetValue(concurrency) },
                };
            }
            return c.Render(await c.Api.SendAsync(HttpMethod.Post, "/v1/services", body, ct), a =>
            {
                c.Out.Line($"service {p.GetValue(name)} registered");
                c.Out.Line($"deliverySecret: {Output.Scalar(a.Body!["deliverySecret"])}   (shown once: configure it on every node's agent)");
            });
        }, stdout, stderr);
        return register;
    }

    /// <summary>"ok", "not read yet", or the map's last error: a broken map must show in the list, not only in <c>show</c>.</summary>
    internal static string NodeMapHealth(JsonNode? nodeMap)
    {
        if (nodeMap?["lastError"] is JsonValue error && error.TryGetValue<string>(out var text) && text.Length > 0)
            return "ERROR: " + (text.Length > 80 ? text[..77] + "..." : text);
        return nodeMap?["syncedAt"] is null ? "not read yet" : "ok";
    }
}
