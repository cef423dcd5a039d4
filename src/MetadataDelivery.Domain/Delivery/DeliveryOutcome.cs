namespace MetadataDelivery.Domain.Delivery;

/// <summary>A node's whole delivery status after one attempt or one expiry: applying it is idempotent.</summary>
public sealed record DeliveryOutcome(
    string Node,
    NodeState State,
    string? Version,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextAttemptAt,
    int Attempts,
    string? LastError);
