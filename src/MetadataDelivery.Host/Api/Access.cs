using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Storage;
using MetadataDelivery.Host.Auth;

namespace MetadataDelivery.Host.Api;

/// <summary>Who may do what: operator-only routes, tenant-only routes, and service lookup that makes
/// another tenant's service (or an invalid name) indistinguishable from a missing one.</summary>
public static class Access
{
    public static IResult? RequireOperator(HttpContext http) => Caller.Of(http) switch
    {
        Caller.Operator => null,
        Caller.Tenant => Problems.Forbidden(),
        Caller.Anonymous a => Problems.Unauthorized(a.KeyGiven),
        _ => Problems.Unauthorized(false),
    };

    public static IResult? RequireTenant(HttpContext http, out string tenant)
    {
        tenant = "";
        switch (Caller.Of(http))
        {
            case Caller.Tenant t: tenant = t.Name; return null;
            case Caller.Operator: return Problems.Status(403, "Forbidden", "Service routes take a tenant key; the operator key manages tenants and the cluster.");
            case Caller.Anonymous a: return Problems.Unauthorized(a.KeyGiven);
            default: return Problems.Unauthorized(false);
        }
    }

    /// <summary>The caller's service named <paramref name="name"/>, if it exists; else the error to return.</summary>
    public static async Task<(ServiceKey Key, IResult? Error)> RequireServiceAsync(HttpContext http, ICatalogStore catalog, string name)
    {
        var denied = RequireTenant(http, out var tenant);
        if (denied is not null) return (default, denied);
        if (!Names.IsValidResourceName(name)) return (default, Problems.ServiceNotFound(Truncate(name)));
        var key = new ServiceKey(tenant, name);
        return await catalog.ServiceExistsAsync(key) ? (key, null) : (default, Problems.ServiceNotFound(name));
    }

    public static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
