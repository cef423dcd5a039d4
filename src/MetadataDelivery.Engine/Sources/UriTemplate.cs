namespace MetadataDelivery.Engine.Sources;

/// <summary>Expands {service}, {node} and {tenant}, escaping each value for a URI path segment.</summary>
public static class UriTemplate
{
    public static string Expand(string template, MetadataFetchContext ctx) => template
        .Replace("{service}", Uri.EscapeDataString(ctx.Service), StringComparison.Ordinal)
        .Replace("{node}", Uri.EscapeDataString(ctx.Node), StringComparison.Ordinal)
        .Replace("{tenant}", Uri.EscapeDataString(ctx.Tenant), StringComparison.Ordinal);
}
