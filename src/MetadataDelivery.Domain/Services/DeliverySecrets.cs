namespace MetadataDelivery.Domain.Services;

public sealed record PreviousSecret(string Secret, DateTimeOffset ValidUntil);

public static class DeliverySecretRules
{
    /// <summary>The current secret first, then every replaced one still inside its grace period.</summary>
    public static IEnumerable<string> Valid(string? current, IEnumerable<PreviousSecret> previous, DateTimeOffset now)
    {
        if (current is not null) yield return current;
        foreach (var p in previous) if (p.ValidUntil > now) yield return p.Secret;
    }
}
