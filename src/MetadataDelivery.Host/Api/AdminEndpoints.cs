using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Hosting;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Host.Api;

public sealed record MemberRepresentation(string Address, string Status, IReadOnlyList<string> Roles, string Region, bool Reachable, bool Leader, bool Self);
public sealed record ClusterRepresentation(string Self, string? Leader, IReadOnlyList<MemberRepresentation> Members);
public sealed record AddressRequest(string? Address);
public sealed record ShardingMemberRepresentation(string Address, int Shards, int Entities, IReadOnlyDictionary<string, int> EntitiesPerShard);
public sealed record ShardingRepresentation(string TypeName, IReadOnlyList<ShardingMemberRepresentation> Members);
public sealed record PartitionRepresentation(int Index, string Member, int Nodes);
public sealed record PartitionPlacementRepresentation(string Tenant, string Service, IReadOnlyList<PartitionRepresentation> Partitions, IReadOnlyDictionary<string, int> PartitionsPerMember);
public sealed record AdminActionResponse(string Action, string Address);
public sealed record DownUnreachableResponse(string Action, IReadOnlyList<string> Addresses);

/// <summary>Operator routes over the cluster and sharding state: what Petabridge.Cmd's cluster and
/// sharding commands would show and do (pbm is not available here; the <c>mds</c> CLI uses these).</summary>
public static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin");

        group.MapGet("/cluster", (HttpContext http, ActorSystem system) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var cluster = Cluster.Get(system);
            var state = cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            var members = state.Members.Concat(state.Unreachable).DistinctBy(m => m.Address)
                .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
                .Select(m => new MemberRepresentation(
                    m.Address.ToString(), m.Status.ToString().ToLowerInvariant(),
                    m.Roles.Where(r => !r.StartsWith(AkkaBuilderExtensions.RegionRolePrefix, StringComparison.Ordinal)).Order().ToList(),
                    AkkaBuilderExtensions.RegionOf(m.Roles), !unreachable.Contains(m.Address), m.Address.Equals(state.Leader),
                    m.Address.Equals(cluster.SelfAddress)))
                .ToList();
            return Results.Ok(new ClusterRepresentation(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members));
        }).Doc("GetCluster", "Cluster members: address, status, roles, region, reachability, leader", "admin").Produces<ClusterRepresentation>();

        group.MapPost("/cluster/leave", (HttpContext http, ActorSystem system) => MemberActionAsync(http, system, "leave", (c, a) => c.Leave(a)))
            .Doc("LeaveMember", "Ask a member to leave gracefully (its shards are handed off)", "admin").Accepts<AddressRequest>("application/json")
            .Produces<AdminActionResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/cluster/down", (HttpContext http, ActorSystem system) => MemberActionAsync(http, system, "down", (c, a) => c.Down(a)))
            .Doc("DownMember", "Mark a member down (its shards move to the survivors)", "admin").Accepts<AddressRequest>("application/json")
            .Produces<AdminActionResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/cluster/down-unreachable", (HttpContext http, ActorSystem system) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var cluster = Cluster.Get(system);
            var downed = cluster.State.Unreachable.Select(m => m.Address).ToList();
            foreach (var address in downed) cluster.Down(address);
            return Results.Ok(new DownUnreachableResponse("down-unreachable", downed.Select(a => a.ToString()).ToList()));
        }).Doc("DownUnreachable", "Mark every unreachable member down", "admin").Produces<DownUnreachableResponse>();

        group.MapGet("/sharding", async (HttpContext http, ActorSystem system, string? type) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var typeName = string.IsNullOrEmpty(type) ? AkkaBuilderExtensions.ServiceTypeName : type;
            if (typeName is not (AkkaBuilderExtensions.ServiceTypeName or AkkaBuilderExtensions.PartitionTypeName))
                return Problems.Validation("type", $"must be '{AkkaBuilderExtensions.ServiceTypeName}' or '{AkkaBuilderExtensions.PartitionTypeName}'");
            var region = ClusterSharding.Get(system).ShardRegion(typeName);
            try
            {
                var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10), http.RequestAborted);
                var members = stats.Regions
                    .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
                    .Select(r => new ShardingMemberRepresentation(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum(),
                        r.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value)))
                    .ToList();
                return Results.Ok(new ShardingRepresentation(typeName, members));
            }
            catch (AskTimeoutException)
            {
                return Problems.Unavailable("Sharding did not report in time; the cluster may be starting or rebalancing.");
            }
        }).Doc("GetSharding", "Per member: shards and entities of the service (default) or node-partition shard region", "admin")
            .Produces<ShardingRepresentation>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/sharding/services/{tenant}/{name}", async (HttpContext http, string tenant, string name, ServiceClient services) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            if (!Names.IsValidResourceName(tenant)) return Problems.Validation("tenant", Names.ResourceNameRule);
            if (!Names.IsValidResourceName(name)) return Problems.Validation("name", Names.ResourceNameRule);
            var (reply, error) = await services.AskAsync(new LocatePartitions(new ServiceKey(tenant, name)), ct: http.RequestAborted);
            return error ?? reply switch
            {
                PartitionPlacement placement => Results.Ok(new PartitionPlacementRepresentation(
                    tenant, name,
                    placement.Partitions.OrderBy(p => p.Index).Select(p => new PartitionRepresentation(p.Index, p.Member, p.Nodes)).ToList(),
                    placement.Partitions.GroupBy(p => p.Member).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()))),
                ServiceNotFound => Problems.Status(404, "Service not found", $"There is no service '{name}' of tenant '{tenant}'."),
                ServiceBusy busy => Problems.Unavailable(busy.Reason),
                _ => ServiceEndpoints.Unexpected(reply),
            };
        }).Doc("GetServicePartitions", "Where a service's node partitions run: member and node count of each", "admin")
            .Produces<PartitionPlacementRepresentation>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> MemberActionAsync(HttpContext http, ActorSystem system, string action, Action<Cluster, Address> apply)
    {
        if (Access.RequireOperator(http) is { } denied) return denied;
        var (body, error) = await JsonBody.ReadAsync<AddressRequest>(http.Request);
        if (error is not null) return error;
        Address address;
        try { address = Address.Parse(body!.Address ?? throw new UriFormatException("address is required")); }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or FormatException)
        {
            return Problems.Validation("address", "must be a member address like akka.tcp://mds@host:4053");
        }
        var cluster = Cluster.Get(system);
        if (!cluster.State.Members.Concat(cluster.State.Unreachable).Any(m => m.Address.Equals(address)))
            return Problems.Status(404, "Member not found", $"{address} is not a member of this cluster.");
        apply(cluster, address);
        return Results.Accepted("/v1/admin/cluster", new AdminActionResponse(action, address.ToString()));
    }
}
