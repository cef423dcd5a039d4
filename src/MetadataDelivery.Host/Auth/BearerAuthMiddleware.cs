using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Host.Auth;

/// <summary>Resolves <c>Authorization: Bearer</c> into a <see cref="Caller"/>; endpoints decide what it may do.</summary>
public sealed class BearerAuthMiddleware(RequestDelegate next, AdminKeyProvider admin, ICatalogStore catalog)
{
    public async Task InvokeAsync(HttpContext http)
    {
        http.Items[nameof(Caller)] = await ResolveAsync(http.Request.Headers.Authorization.ToString());
        await next(http);
    }

    private async Task<Caller> ResolveAsync(string header)
    {
        if (string.IsNullOrEmpty(header)) return new Caller.Anonymous(false);
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 512) return new Caller.Anonymous(true);
        var key = header["Bearer ".Length..].Trim();
        if (key.Length == 0) return new Caller.Anonymous(true);
        if (ApiKeys.FixedTimeEquals(key, admin.Key)) return new Caller.Operator();
        var tenant = await catalog.FindTenantByKeyHashAsync(ApiKeys.Hash(key));
        return tenant is null ? new Caller.Anonymous(true) : new Caller.Tenant(tenant);
    }
}
