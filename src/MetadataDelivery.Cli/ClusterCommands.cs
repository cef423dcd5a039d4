using System.CommandLine;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

/// <summary>The Petabridge.Cmd cluster and sharding commands (pbm is not available here), over the admin API.</summary>
public static class ClusterCommands
{
    public static Command BuildCluster(TextWriter stdout, TextWriter stderr)
    {
        var cluster = new Command("cluster", "Cluster membership (operator key)");
        var address = new Argument<string>("address") { Description = "Member address, e.g. akka.tcp://mds@10.0.0.5:4053" };

        var show = new Command("show", "Members: address, status, roles, region, reachability, leader");
        show.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, "/v1/admin/cluster", ct: ct), a =>
        {
            c.Out.Table(["address", "status", "roles", "region", "reachable", "leader"],
                a.Body!["members"]!.AsArray().Select(m => new[]
                {
                    Output.Scalar(m!["address"]) + (m["self"]!.GetValue<bool>() ? " (self)" : ""), Output.Scalar(m["status"]),
                    string.Join(",", m["roles"]!.AsArray().Select(r => r!.GetValue<string>())), Output.Scalar(m["region"]),
                    m["reachable"]!.GetValue<bool>() ? "yes" : "NO", m["leader"]!.GetValue<bool>() ? "leader" : "",
                }));
        }), stdout, stderr);

        var leave = new Command("leave", "Ask a member to leave gracefully") { address };
        leave.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, "/v1/admin/cluster/leave", new { address = p.GetValue(address) }, ct),
            _ => c.Out.Line($"{p.GetValue(address)} asked to leave")), stdout, stderr);

        var down = new Command("down", "Mark a member down") { address };
        down.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, "/v1/admin/cluster/down", new { address = p.GetValue(address) }, ct),
            _ => c.Out.Line($"{p.GetValue(address)} marked down")), stdout, stderr);

        var downUnreachable = new Command("down-unreachable", "Mark every unreachable member down");
        downUnreachable.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Post, "/v1/admin/cluster/down-unreachable", ct: ct), a =>
        {
            var addresses = a.Body!["addresses"]!.AsArray();
            c.Out.Line(addresses.Count == 0 ? "no unreachable members" : "marked down: " + string.Join(", ", addresses.Select(x => x!.GetValue<string>())));
        }), stdout, stderr);

        cluster.Subcommands.Add(show);
        cluster.Subcommands.Add(leave);
        cluster.Subcommands.Add(down);
        cluster.Subcommands.Add(downUnreachable);
        return cluster;
    }

    public static Command BuildSharding(TextWriter stdout, TextWriter stderr)
    {
        var sharding = new Command("sharding", "Shard placement of the service entities and their node partitions (operator key)");
        Option<string> TypeOption() => new("--type")
        {
            Description = "Entity type: 'service' (control plane) or 'partition' (node partitions)",
            DefaultValueFactory = _ => "service",
        };
        string Route(ParseResult p, Option<string> type) => "/v1/admin/sharding?type=" + Uri.EscapeDataString(p.GetValue(type) ?? "service");

        var regionsType = TypeOption();
        var regions = new Command("regions", "Per member: the shards it hosts") { regionsType };
        regions.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, Route(p, regionsType), ct: ct), a =>
            c.Out.Table(["member", "shards"], a.Body!["members"]!.AsArray().Select(m => new[]
            {
                Output.Scalar(m!["address"]), string.Join(",", m["entitiesPerShard"]!.AsObject().Select(kv => kv.Key)),
            }))), stdout, stderr);

        var statsType = TypeOption();
        var stats = new Command("stats", "Per member: shard and entity counts") { statsType };
        stats.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, Route(p, statsType), ct: ct), a =>
        {
            var members = a.Body!["members"]!.AsArray();
            c.Out.Table(["member", "shards", "entities"], members.Select(m => new[] { Output.Scalar(m!["address"]), Output.Scalar(m["shards"]), Output.Scalar(m["entities"]) }));
            c.Out.Line($"total: {members.Sum(m => m!["shards"]!.GetValue<int>())} shards, {members.Sum(m => m!["entities"]!.GetValue<int>())} entities");
        }), stdout, stderr);

        var service = new Argument<string>("service") { Description = "tenant/service" };
        var partitions = new Command("partitions", "Where one service's node partitions run: member and nodes of each") { service };
        partitions.Runs(async (p, c, ct) =>
        {
            var parts = (p.GetValue(service) ?? "").Split('/');
            if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty))
            {
                c.Out.Error("service must be given as tenant/service");
                return ExitCodes.Usage;
            }
            var route = $"/v1/admin/sharding/services/{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}";
            return c.Render(await c.Api.SendAsync(HttpMethod.Get, route, ct: ct), a =>
            {
                c.Out.Table(["partition", "member", "nodes"], a.Body!["partitions"]!.AsArray().Select(x => new[]
                    { Output.Scalar(x!["index"]), Output.Scalar(x["member"]), Output.Scalar(x["nodes"]) }));
                c.Out.Line(string.Join(", ", a.Body["partitionsPerMember"]!.AsObject().Select(kv => $"{kv.Key}: {kv.Value} partitions")));
            });
        }, stdout, stderr);

        sharding.Subcommands.Add(regions);
        sharding.Subcommands.Add(stats);
        sharding.Subcommands.Add(partitions);
        return sharding;
    }
}
