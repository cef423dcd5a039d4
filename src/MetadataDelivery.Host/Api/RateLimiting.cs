using System.Globalization;
using System.Threading.RateLimiting;
using MetadataDelivery.Host.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace MetadataDelivery.Host.Api;

/// <summary>Per-caller token buckets: one tenant cannot starve another. Health and metrics are exempt.
/// A refusal is <c>429</c> problem+json with <c>Retry-After</c>.</summary>
public static class RateLimiting
{
    public static IServiceCollection AddMdsRateLimiting(this IServiceCollection services, ApiOptions options)
    {
        var perSecond = Math.Max(1, options.RateLimitPerSecond);
        var burst = Math.Max(perSecond, options.RateLimitBurst);
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (http.Request.Path.StartsWithSegments("/healthz") || http.Request.Path.StartsWithSegments("/metrics"))
                    return RateLimitPartition.GetNoLimiter("exempt");
                return RateLimitPartition.GetTokenBucketLimiter(PartitionOf(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.Status(429, "Too many requests", $"This caller is limited to {perSecond} requests per second (bursts of {burst}); retry after {retryAfter} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    private static string PartitionOf(HttpContext http) => Caller.Of(http) switch
    {
        Caller.Tenant t => "tenant:" + t.Name,
        Caller.Operator => "operator",
        _ => "anonymous:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
    };
}
