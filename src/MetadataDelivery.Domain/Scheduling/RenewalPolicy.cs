namespace MetadataDelivery.Domain.Scheduling;

/// <summary>When a delivered item is renewed: at <c>renewAt</c> of its lifetime, jittered by ±5 % of the
/// lifetime so that a fleet registered at once does not renew at once.</summary>
public static class RenewalPolicy
{
    public const double JitterFraction = 0.05;
    // renewAt may be 0.95 and jitter +0.05: never schedule the renewal at (or after) the expiry itself.
    public const double LatestFraction = 0.97;
    public const double EarliestFraction = 0.05;

    public static DateTimeOffset RenewalTime(DateTimeOffset issuedAt, DateTimeOffset expiresAt, double renewAt, Random random)
    {
        var lifetime = expiresAt - issuedAt;
        if (lifetime <= TimeSpan.Zero) return issuedAt;
        var jitter = (random.NextDouble() * 2 - 1) * JitterFraction;
        var fraction = Math.Clamp(renewAt + jitter, EarliestFraction, LatestFraction);
        return issuedAt + lifetime * fraction;
    }
}
