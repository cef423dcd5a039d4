using MetadataDelivery.Domain.Scheduling;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>The state transitions of one node's delivery, as pure functions of (record, fact, now).</summary>
public static class DeliveryDecisions
{
    public static DeliveryOutcome Acked(string node, MetadataItem item, DateTimeOffset ackedAt, double renewAt, Random random) =>
        new(node, NodeState.Delivered, item.Version, item.IssuedAt, ackedAt, item.ExpiresAt,
            RenewalPolicy.RenewalTime(item.IssuedAt, item.ExpiresAt, renewAt, random), Attempts: 0, LastError: null);

    /// <summary>The node fetched an item itself (the signed pull path, e.g. an agent catching up at start): it holds it
    /// now as surely as after an ack, so it counts as delivered and is renewed on schedule instead of staying
    /// 'retrying' until the next backoff. Null when it changes nothing: an item already expired, the version already
    /// recorded as delivered, or one older than what the node is recorded with (a node never goes back).</summary>
    public static DeliveryOutcome? Pulled(string node, NodeRecord record, string version, DateTimeOffset issuedAt,
        DateTimeOffset expiresAt, DateTimeOffset now, double renewAt, Random random)
    {
        if (expiresAt <= now) return null;
        if (record.State == NodeState.Delivered && record.Version == version) return null;
        if (record.IssuedAt is { } held && issuedAt < held) return null;
        return new DeliveryOutcome(node, NodeState.Delivered, version, issuedAt, now, expiresAt,
            RenewalPolicy.RenewalTime(issuedAt, expiresAt, renewAt, random), Attempts: 0, LastError: null);
    }

    /// <summary>A failed attempt: one more attempt counted, the next one scheduled by the backoff policy
    /// and never past the deadline while the node still holds valid metadata.</summary>
    public static DeliveryOutcome Failed(string node, NodeRecord record, string error, DateTimeOffset now, TimeSpan ttl,
        BackoffPolicy backoff, Random random)
    {
        var attempts = record.Attempts + 1;
        var deadline = record.Deadline(ttl);
        var stillValid = deadline > now;
        var state = stillValid ? NodeState.Retrying : NodeState.Expired;
        var next = backoff.NextAttempt(now, attempts, stillValid ? deadline : null, random);
        return new DeliveryOutcome(node, state, record.Version, record.IssuedAt, record.DeliveredAt, record.ExpiresAt,
            next, attempts, error);
    }

    /// <summary>True when the node has just passed its deadline without a fresh delivery.</summary>
    public static bool HasJustExpired(NodeRecord record, DateTimeOffset now, TimeSpan ttl) =>
        record.State != NodeState.Expired && record.Deadline(ttl) <= now;

    public static DeliveryOutcome MarkExpired(string node, NodeRecord record, DateTimeOffset now) =>
        new(node, NodeState.Expired, record.Version, record.IssuedAt, record.DeliveredAt, record.ExpiresAt,
            record.NextAttemptAt is { } n && n > now ? n : now, record.Attempts,
            record.LastError ?? "item expired before a new one was acknowledged");

    /// <summary>A forced delivery resets the backoff: the attempt counter starts again.</summary>
    public static DeliveryOutcome ResetForForce(string node, NodeRecord record, DateTimeOffset now) =>
        new(node, record.State, record.Version, record.IssuedAt, record.DeliveredAt, record.ExpiresAt, now, 0, record.LastError);
}
