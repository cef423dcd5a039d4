namespace MetadataDelivery.Domain.Delivery;

/// <summary>What a service knows of one node. Mutable on purpose: a partition holds up to tens of thousands of
/// these, and they change only through <see cref="Partitions.PartitionState.Apply"/>.</summary>
public sealed class NodeRecord(string address, DateTimeOffset addedAt)
{
    public string Address { get; set; } = address;
    public DateTimeOffset AddedAt { get; set; } = addedAt;
    public NodeState State { get; set; } = NodeState.Pending;
    public string? Version { get; set; }
    public DateTimeOffset? IssuedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>The moment after which this node is without valid metadata: the held item's expiry, or,
    /// for a node that never got one, a lifetime after it joined.</summary>
    public DateTimeOffset Deadline(TimeSpan ttl) => ExpiresAt ?? AddedAt + ttl;

    public void Apply(DeliveryOutcome o)
    {
        State = o.State;
        Version = o.Version;
        IssuedAt = o.IssuedAt;
        DeliveredAt = o.DeliveredAt;
        ExpiresAt = o.ExpiresAt;
        NextAttemptAt = o.NextAttemptAt;
        Attempts = o.Attempts;
        LastError = o.LastError;
    }
}
