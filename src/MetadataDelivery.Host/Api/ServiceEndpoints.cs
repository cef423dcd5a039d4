using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Host.Api;

public sealed record DeliverySecretResponse(string DeliverySecret);
public sealed record SyncResponse(string Status);

/// <summary>Services of the calling tenant (CONTRACT §2).</summary>
public static class ServiceEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static ServiceValidationOptions ValidationOptions(MdsOptions o) =>
        new(AllowFileNodeMaps: o.AllowFileNodeMaps, AllowS3NodeMaps: true, AllowS3MetadataSources: true);

    public static void MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/services");

        group.MapPost("", async (HttpContext http, ServiceClient services, IOptions<MdsOptions> options) =>
        {
            if (Access.RequireTenant(http, out var tenant) is { } denied) return denied;
            var (body, error) = await JsonBody.ReadAsync<ServiceRequest>(http.Request);
            if (error is not null) return error;
            var (spec, errors) = ServiceSpecValidator.Validate(body, ValidationOptions(options.Value));
            if (spec is null) return Problems.Validation(errors);
            var (reply, askError) = await services.AskAsync(new RegisterService(new ServiceKey(tenant, spec.Name), spec), ct: http.RequestAborted);
            return askError ?? reply switch
            {
                ServiceRegisteredReply r => Results.Created($"/v1/services/{spec.Name}", Representations.Created(r)),
                ServiceAlreadyExists => Problems.Status(409, "Service exists", $"A service named '{spec.Name}' already exists."),
                _ => Unexpected(reply),
            };
        }).Doc("RegisterService", "Register a service; its deliverySecret is shown once", "services")
            .Accepts<ServiceRequest>("application/json").Produces<CreatedServiceRepresentation>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("", async (HttpContext http, ICatalogStore catalog, ServiceClient services, string? limit, string? cursor) =>
        {
            if (Access.RequireTenant(http, out var tenant) is { } denied) return denied;
            if (!TryPaging(limit, cursor, out var pageSize, out var after, out var pagingError)) return pagingError!;
            var (names, next) = await catalog.ListServicesAsync(tenant, pageSize, after);
            var views = await Task.WhenAll(names.Select(n => services.AskAsync(new GetService(new ServiceKey(tenant, n)), ct: http.RequestAborted)));
            if (views.FirstOrDefault(v => v.Error is not null).Error is { } unavailable) return unavailable;
            var items = views.Select(v => v.Reply).OfType<ServiceView>().Select(Representations.Of).ToList();
            return Results.Ok(new Page<ServiceRepresentation>(items, next));
        }).Doc("ListServices", "List the tenant's services, a page at a time", "services")
            .Produces<Page<ServiceRepresentation>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{name}", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            var (reply, error) = await services.AskAsync(new GetService(key), ct: http.RequestAborted);
            return error ?? ServiceResult(reply, name);
        }).Doc("GetService", "A service with its node counts and node-map status", "services")
            .Produces<ServiceRepresentation>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPut("/{name}", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services, IOptions<MdsOptions> options) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            var (body, error) = await JsonBody.ReadAsync<ServiceRequest>(http.Request);
            if (error is not null) return error;
            body = body! with { Name = body.Name ?? name };
            if (body.Name != name) return Problems.Validation("name", "must match the service in the URL; a service cannot be renamed");
            var (spec, errors) = ServiceSpecValidator.Validate(body, ValidationOptions(options.Value));
            if (spec is null) return Problems.Validation(errors);
            var (reply, askError) = await services.AskAsync(new UpdateService(key, spec), ct: http.RequestAborted);
            return askError ?? ServiceResult(reply, name);
        }).Doc("UpdateService", "Replace a service's configuration (same body as register)", "services")
            .Accepts<ServiceRequest>("application/json").Produces<ServiceRepresentation>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapDelete("/{name}", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            var (reply, error) = await services.AskAsync(new DeleteService(key), ct: http.RequestAborted);
            return error ?? reply switch
            {
                ServiceDeletedReply => Results.NoContent(),
                ServiceNotFound => Problems.ServiceNotFound(name),
                _ => Unexpected(reply),
            };
        }).Doc("DeleteService", "Delete a service: deliveries stop and the name is free again", "services")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{name}/sync", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            var (reply, error) = await services.AskAsync(new SyncNodeMap(key), ct: http.RequestAborted);
            return error ?? reply switch
            {
                SyncAccepted => Results.Accepted($"/v1/services/{name}", new SyncResponse("sync requested")),
                ServiceNotFound => Problems.ServiceNotFound(name),
                _ => Unexpected(reply),
            };
        }).Doc("SyncService", "Re-read the node map now", "services")
            .Produces<SyncResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{name}/secret", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services) =>
        {
            var (key, denied) = await Access.RequireServiceAsync(http, catalog, name);
            if (denied is not null) return denied;
            var (reply, error) = await services.AskAsync(new RotateDeliverySecret(key), ct: http.RequestAborted);
            return error ?? reply switch
            {
                DeliverySecretReply r => Results.Ok(new DeliverySecretResponse(r.DeliverySecret)),
                ServiceNotFound => Problems.ServiceNotFound(name),
                _ => Unexpected(reply),
            };
        }).Doc("RotateDeliverySecret", "Rotate the push secret; the old one stays valid for 10 minutes", "services")
            .Produces<DeliverySecretResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult ServiceResult(object? reply, string name) => reply switch
    {
        ServiceView v => Results.Ok(Representations.Of(v)),
        ServiceNotFound => Problems.ServiceNotFound(name),
        _ => Unexpected(reply),
    };

    public static IResult Unexpected(object? reply) =>
        Problems.Unavailable($"Unexpected answer from the service ({reply?.GetType().Name ?? "none"}); retry shortly.");

    public static bool TryPaging(string? limitText, string? cursorText, out int limit, out string? cursor, out IResult? error)
    {
        limit = DefaultPageSize; cursor = null; error = null;
        if (!string.IsNullOrEmpty(limitText))
        {
            if (!int.TryParse(limitText, System.Globalization.NumberStyles.None, null, out limit) || limit < 1 || limit > MaxPageSize)
            {
                error = Problems.Validation("limit", $"must be an integer between 1 and {MaxPageSize}");
                return false;
            }
        }
        if (!string.IsNullOrEmpty(cursorText))
        {
            if (cursorText.Length > 256) { error = Problems.Validation("cursor", "is not a cursor this API returned"); return false; }
            cursor = cursorText;
        }
        return true;
    }
}
