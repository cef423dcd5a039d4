namespace MetadataDelivery.Domain.Scheduling;

/// <summary>Exponential backoff with full jitter, sized from the item's lifetime and never scheduled past
/// the deadline: while the held item is still valid, each retry lands at most halfway to its expiry, so
/// attempts keep coming until the very end.</summary>
public sealed record BackoffPolicy(TimeSpan Base, TimeSpan Cap, TimeSpan Min)
{
    public static BackoffPolicy ForLifetime(TimeSpan ttl)
    {
        var baseDelay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, ttl.Ticks / 50));
        var cap = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, ttl.Ticks / 4));
        var min = TimeSpan.FromMilliseconds(50);
        return new BackoffPolicy(baseDelay < min ? min : baseDelay, cap < min ? min : cap, min);
    }

    /// <param name="attempt">1 for the first retry after the first failure.</param>
    /// <param name="deadline">the expiry of the item the node holds, if it still holds a valid one.</param>
    public DateTimeOffset NextAttempt(DateTimeOffset now, int attempt, DateTimeOffset? deadline, Random random)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(Cap.Ticks, Base.Ticks * Math.Pow(2, exponent));
        var delay = TimeSpan.FromTicks((long)(random.NextDouble() * ceiling));
        if (delay < Min) delay = Min;

        if (deadline is { } d && d > now)
        {
            var halfway = (d - now) / 2;
            if (delay > halfway) delay = halfway;
        }
        return now + delay;
    }
}
