using System.CommandLine;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

public static class TenantCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var tenant = new Command("tenant", "Manage tenants (operator key)");
        var name = new Argument<string>("name") { Description = "Tenant name" };

        var create = new Command("create", "Create a tenant and print its API key (shown once)") { name };
        create.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, "/v1/tenants", new { name = p.GetValue(name) }, ct),
            a => PrintKey(c, a, $"tenant {p.GetValue(name)} created")), stdout, stderr);

        var list = new Command("list", "List tenants");
        list.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, "/v1/tenants", ct: ct),
            a => c.Out.Table(["name", "created"], a.Body!["items"]!.AsArray().Select(t => new[] { Output.Scalar(t!["name"]), Output.Scalar(t["createdAt"]) }))), stdout, stderr);

        var delete = new Command("delete", "Delete a tenant and stop all its services") { name };
        delete.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Delete, $"/v1/tenants/{Uri.EscapeDataString(p.GetValue(name)!)}", ct: ct),
            _ => c.Out.Line($"tenant {p.GetValue(name)} deleted")), stdout, stderr);

        var key = new Command("key", "Add an API key to a tenant and print it (shown once)") { name };
        key.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, $"/v1/tenants/{Uri.EscapeDataString(p.GetValue(name)!)}/keys", ct: ct),
            a => PrintKey(c, a, $"a new key for tenant {p.GetValue(name)}")), stdout, stderr);

        tenant.Subcommands.Add(create);
        tenant.Subcommands.Add(list);
        tenant.Subcommands.Add(delete);
        tenant.Subcommands.Add(key);
        return tenant;
    }

    /// <summary>The key alone on stdout, so <c>KEY=$(mds tenant create acme)</c> captures it; the words go to stderr.</summary>
    private static void PrintKey(CliContext c, ApiAnswer answer, string what)
    {
        c.Out.Err.WriteLine($"{what}; its API key is shown once, below (stdout):");
        c.Out.Line(Output.Scalar(answer.Body!["apiKey"]));
    }
}
