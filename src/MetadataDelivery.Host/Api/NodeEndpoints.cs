using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;
using MetadataDelivery.Host.Auth;
using Microsoft.AspNetCore.Mvc;

namespace MetadataDelivery.Host.Api;

public sealed record DeliveryAcceptedResponse(string DeliveryId);
public sealed record DeliveryAckedResponse(string DeliveryId, string Version, DateTimeOffset DeliveredAt);

/// <summary>Per-node status, forced delivery and the pull path (CONTRACT §2).</summary>
public static class NodeEndpoints
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan PullSkew = TimeSpan.FromMinutes(5);

    public static void MapNodeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/services/{name}/nodes");

        group.MapGet("", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services, string? state, string? limit, string? cursor) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            if (!ServiceEndpoints.TryPaging(limit, cursor, out var pageSize, out var after, out var pagingError)) return pagingError!;
            NodeState? filter = null;
            if (!string.IsNullOrEmpty(state))
            {
                if (!NodeStateNames.TryParse(state, out var parsed)) return Problems.Validation("state", "must be one of pending, delivered, retrying, expired");
                filter = parsed;
            }
            var (reply, error) = await services.AskAsync(new ListNodes(key, filter, pageSize, after), ct: http.RequestAborted);
            return error ?? reply switch
            {
                NodeList list => Results.Ok(new Page<NodeRepresentation>(list.Items.Select(Representations.Of).ToList(), list.NextCursor)),
                ServiceNotFound => Problems.ServiceNotFound(name),
                ServiceBusy busy => Problems.Unavailable(busy.Reason),
                _ => ServiceEndpoints.Unexpected(reply),
            };
        }).Doc("ListNodes", "Per-node delivery status, optionally filtered by state", "nodes")
            .Produces<Page<NodeRepresentation>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{node}", async (HttpContext http, string name, string node, ICatalogStore catalog, ServiceClient services) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            if (!Names.IsValidNodeId(node)) return Problems.NodeNotFound(name, Access.Truncate(node));
            var (reply, error) = await services.AskAsync(new GetNode(key, node), ct: http.RequestAborted);
            return error ?? NodeReply(reply, name, node, v => Results.Ok(Representations.Of(v)));
        }).Doc("GetNode", "One node's delivery status", "nodes")
            .Produces<NodeRepresentation>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{node}/deliveries", async (HttpContext http, string name, string node, ICatalogStore catalog, ServiceClient services, [FromQuery(Name = "wait")] string? waitText) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            if (!Names.IsValidNodeId(node)) return Problems.NodeNotFound(name, Access.Truncate(node));
            TimeSpan? wait = null;
            if (!string.IsNullOrEmpty(waitText))
            {
                if (!Durations.TryParse(waitText, out var parsed) || parsed <= TimeSpan.Zero || parsed > MaxWait)
                    return Problems.Validation("wait", $"must be a duration between 0 and {Durations.ToIso(MaxWait)}, e.g. PT10S");
                wait = parsed;
            }
            if (wait is null)
            {
                var (reply, error) = await services.AskAsync(new ForceDelivery(key, node, WaitForAck: false), ct: http.RequestAborted);
                return error ?? reply switch
                {
                    DeliveryAccepted a => Results.Accepted($"/v1/services/{name}/nodes/{node}", new DeliveryAcceptedResponse(a.DeliveryId)),
                    _ => NodeReply(reply, name, node, _ => ServiceEndpoints.Unexpected(reply)),
                };
            }
            var (acked, waitError) = await services.AskAsync(new ForceDelivery(key, node, WaitForAck: true), wait, http.RequestAborted);
            if (waitError is not null)
                return await NotAcknowledgedAsync(services, key, name, node, wait.Value);
            return acked switch
            {
                DeliveryAcked a => Results.Ok(new DeliveryAckedResponse(a.DeliveryId, a.Version, a.DeliveredAt)),
                _ => NodeReply(acked, name, node, _ => ServiceEndpoints.Unexpected(acked)),
            };
        }).Doc("ForceDelivery", "Fetch and push a fresh item to one node now, resetting its backoff; with ?wait, answer once acked", "nodes")
            .Produces<DeliveryAckedResponse>().Produces<DeliveryAcceptedResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status504GatewayTimeout).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{node}/metadata", PullAsync)
            .Doc("PullMetadata", "The envelope last built for the node (the pull path): tenant key, or the node's signature headers with ?tenant=", "nodes")
            .Produces<Domain.Delivery.Envelope>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{node}/acks", PullAckEndpoint.AckAsync)
            .Doc("AcknowledgePull", "The node says it stored the version it pulled (body {node, version}, signed like a push, ?tenant=): it is then shown delivered", "nodes")
            .Produces(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The pull path: the envelope last built for the node, for the tenant key or for the node
    /// itself signing an empty body with its service's delivery secret. The answer is signed the same way.</summary>
    private static async Task<IResult> PullAsync(HttpContext http, string name, string node, ICatalogStore catalog,
        ServiceClient services, IEnvelopeStore envelopes, TimeProvider time, string? tenant)
    {
        ServiceKey key;
        var caller = Caller.Of(http);
        var signed = http.Request.Headers.ContainsKey(Domain.Delivery.PushSignature.SignatureHeader);
        if (caller is Caller.Tenant)
        {
            var (k, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            key = k;
        }
        else if (signed && tenant is not null && Names.IsValidResourceName(tenant) && Names.IsValidResourceName(name))
        {
            key = new ServiceKey(tenant!, name);
            if (!await catalog.ServiceExistsAsync(key)) return Problems.Unauthorized(true);
        }
        else if (caller is Caller.Operator) return Access.RequireTenant(http, out _)!;
        else return signed
            ? Problems.Validation("tenant", "a signed pull must name its tenant: ?tenant=<tenant>")
            : Problems.Unauthorized(caller is Caller.Anonymous { KeyGiven: true });
        if (!Names.IsValidNodeId(node)) return Problems.NodeNotFound(name, Access.Truncate(node));

        var (secretsReply, error) = await services.AskAsync(new GetDeliverySecrets(key), ct: http.RequestAborted);
        if (error is not null) return error;
        if (secretsReply is not DeliverySecrets secrets) return Problems.ServiceNotFound(name);
        if (caller is not Caller.Tenant)
        {
            var verdict = Domain.Delivery.PushSignature.Verify(secrets.Secrets, http.Request.Headers[Domain.Delivery.PushSignature.TimestampHeader],
                http.Request.Headers[Domain.Delivery.PushSignature.SignatureHeader], ReadOnlySpan<byte>.Empty, time.GetUtcNow(), PullSkew);
            if (verdict != Domain.Delivery.PushSignature.Verdict.Valid)
                return Problems.Status(401, "Unauthorized", $"The node signature is not valid ({verdict}).");
        }
        var envelope = await envelopes.GetAsync(key, node, http.RequestAborted);
        if (envelope is null) return Problems.Status(404, "No metadata yet", $"No metadata has been built for node '{node}' of '{name}' yet.");
        var ts = time.GetUtcNow().ToUnixTimeSeconds();
        http.Response.Headers[Domain.Delivery.PushSignature.TimestampHeader] = ts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers[Domain.Delivery.PushSignature.SignatureHeader] = Domain.Delivery.PushSignature.SignAll(secrets.Secrets, ts, envelope);
        return Results.Bytes(envelope, "application/json");
    }

    /// <summary>The 504 of a forced delivery that was not acked in time says why, as far as the node's state knows:
    /// its last error (e.g. "connection refused") is what the caller needs next.</summary>
    private static async Task<IResult> NotAcknowledgedAsync(ServiceClient services, ServiceKey key, string name, string node, TimeSpan wait)
    {
        var (reply, _) = await services.AskAsync(new GetNode(key, node), TimeSpan.FromSeconds(2));
        var lastError = (reply as NodeView)?.LastError;
        var detail = $"The node did not acknowledge a fresh delivery within {Durations.ToIso(wait)}; it keeps being retried."
            + (string.IsNullOrEmpty(lastError) ? "" : $" Last error: {lastError} (the latest failed attempt's; the forced one may still be running).")
            + $" See GET /v1/services/{name}/nodes/{node}.";
        return Results.Problem(title: "Not acknowledged in time", detail: detail, statusCode: 504,
            extensions: new Dictionary<string, object?> { ["lastError"] = lastError });
    }

    private static IResult NodeReply(object? reply, string name, string node, Func<NodeView, IResult> onView) => reply switch
    {
        NodeView v => onView(v),
        NodeNotFound => Problems.NodeNotFound(name, node),
        ServiceNotFound => Problems.ServiceNotFound(name),
        _ => ServiceEndpoints.Unexpected(reply),
    };
}
