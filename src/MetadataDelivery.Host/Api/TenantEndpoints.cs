using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;
using MetadataDelivery.Host.Auth;

namespace MetadataDelivery.Host.Api;

public sealed record CreateTenantRequest(string? Name);
public sealed record TenantKeyResponse(string Name, string ApiKey);
public sealed record TenantResponse(string Name, DateTimeOffset CreatedAt);

/// <summary>Tenants and their keys (operator key).</summary>
public static class TenantEndpoints
{
    public static void MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/tenants");

        group.MapPost("", async (HttpContext http, ICatalogStore catalog, TimeProvider time) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var (body, error) = await JsonBody.ReadAsync<CreateTenantRequest>(http.Request);
            if (error is not null) return error;
            if (!Names.IsValidResourceName(body!.Name)) return Problems.Validation("name", $"must be {Names.ResourceNameRule}");
            var key = ApiKeys.NewTenantKey();
            if (!await catalog.CreateTenantAsync(body.Name!, ApiKeys.Hash(key), time.GetUtcNow()))
                return Problems.Status(409, "Tenant exists", $"A tenant named '{body.Name}' already exists.");
            return Results.Created($"/v1/tenants/{body.Name}", new TenantKeyResponse(body.Name!, key));
        }).Doc("CreateTenant", "Create a tenant; its API key is shown once", "tenants")
            .Accepts<CreateTenantRequest>("application/json").Produces<TenantKeyResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("", async (HttpContext http, ICatalogStore catalog) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var tenants = await catalog.ListTenantsAsync();
            return Results.Ok(new Page<TenantResponse>(tenants.Select(t => new TenantResponse(t.Name, t.CreatedAt)).ToList(), null));
        }).Doc("ListTenants", "List tenants", "tenants").Produces<Page<TenantResponse>>();

        group.MapDelete("/{name}", async (HttpContext http, string name, ICatalogStore catalog, ServiceClient services) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            if (!Names.IsValidResourceName(name) || !await catalog.TenantExistsAsync(name))
                return Problems.Status(404, "Tenant not found", $"There is no tenant '{Access.Truncate(name)}'.");
            // Stop every service first, so nothing keeps delivering for a tenant that is gone.
            foreach (var service in await catalog.AllServicesOfTenantAsync(name))
            {
                var (reply, error) = await services.AskAsync(new DeleteService(new ServiceKey(name, service)));
                if (error is not null) return error;
            }
            await catalog.DeleteTenantAsync(name);
            return Results.NoContent();
        }).Doc("DeleteTenant", "Delete a tenant and stop all its services", "tenants")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{name}/keys", async (HttpContext http, string name, ICatalogStore catalog, TimeProvider time) =>
        {
            if (Access.RequireOperator(http) is { } denied) return denied;
            var key = ApiKeys.NewTenantKey();
            if (!Names.IsValidResourceName(name) || !await catalog.AddTenantKeyAsync(name, ApiKeys.Hash(key), time.GetUtcNow()))
                return Problems.Status(404, "Tenant not found", $"There is no tenant '{Access.Truncate(name)}'.");
            return Results.Created($"/v1/tenants/{name}", new TenantKeyResponse(name, key));
        }).Doc("CreateTenantKey", "Add an API key to a tenant; shown once", "tenants")
            .Produces<TenantKeyResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound);
    }
}
