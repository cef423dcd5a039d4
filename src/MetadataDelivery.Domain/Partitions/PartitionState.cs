using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Partitions;

/// <summary>The state of one node partition of a service: the configuration its ServiceActor last sent it
/// and the delivery state of its nodes. Built only by applying its events.</summary>
public sealed class PartitionState(PartitionKey key)
{
    public PartitionKey Key { get; } = key;
    public long ConfigVersion { get; private set; }
    /// <summary>Null until configured, and again once retired (the service was deleted).</summary>
    public ServiceSpec? Spec { get; private set; }
    public string? Secret { get; private set; }
    public List<PreviousSecret> PreviousSecrets { get; } = [];
    public long SliceGeneration { get; private set; }
    /// <summary>How many partitions the service had at the last slice; they share its maxConcurrency.</summary>
    public int PartitionCount { get; private set; } = 1;
    public NodeTable Nodes { get; } = new();

    public bool IsActive => Spec is not null;
    public bool IsRetired => Spec is null && ConfigVersion > 0;

    public IEnumerable<string> ValidSecrets(DateTimeOffset now) => DeliverySecretRules.Valid(Secret, PreviousSecrets, now);

    public void Apply(IPartitionEvent e)
    {
        switch (e)
        {
            case PartitionConfigured c:
                ConfigVersion = c.Version;
                Spec = c.Spec;
                Secret = c.Secret;
                PreviousSecrets.Clear();
                PreviousSecrets.AddRange(c.PreviousSecrets);
                if (c.Spec is null) Nodes.Clear();
                break;
            case NodeSliceApplied s:
                foreach (var id in s.Removed) Nodes.Remove(id);
                Nodes.Reserve(s.Added, s.Readdressed);
                foreach (var n in s.Added) Nodes.Set(n.Id, n.Address, s.At);
                foreach (var n in s.Readdressed) if (Nodes.TryGetSlot(n.Id, out var slot)) Nodes.SetAddress(slot, n.Address);
                SliceGeneration = Math.Max(SliceGeneration, s.Generation);
                PartitionCount = Math.Max(1, s.Partitions);
                break;
            case DeliveryOutcomesRecorded batch:
                foreach (var o in batch.Outcomes) Nodes.Apply(o);
                break;
            default:
                throw new InvalidOperationException($"unknown partition event {e.GetType().Name}");
        }
    }

    /// <summary>This partition's share of the service's maxConcurrency (at least one attempt).</summary>
    public int MaxConcurrency => Spec is null ? 0 : Math.Max(1, (Spec.Delivery.MaxConcurrency + PartitionCount - 1) / PartitionCount);

    public NodeCounts Counts()
    {
        int delivered = 0, pending = 0, retrying = 0, expired = 0;
        foreach (var slot in Nodes.Slots)
        {
            switch (Nodes[slot].State)
            {
                case NodeState.Delivered: delivered++; break;
                case NodeState.Pending: pending++; break;
                case NodeState.Retrying: retrying++; break;
                case NodeState.Expired: expired++; break;
            }
        }
        return new NodeCounts(Nodes.Count, delivered, pending, retrying, expired);
    }

    public PartitionSnapshot ToSnapshot() => new(Key, ConfigVersion, Spec, Secret, PreviousSecrets.ToList(), SliceGeneration, PartitionCount,
        Nodes.Slots.Select(NodeSnapshotOf).ToList());

    private NodeSnapshot NodeSnapshotOf(int slot)
    {
        var r = Nodes[slot];
        return new NodeSnapshot(Nodes.IdOf(slot), Nodes.AddressOf(slot), r.AddedAt, r.State, r.Version, r.IssuedAt, r.DeliveredAt,
            r.ExpiresAt, r.NextAttemptAt, r.Attempts, r.LastError);
    }

    public static PartitionState FromSnapshot(PartitionSnapshot s)
    {
        var state = new PartitionState(s.Key)
        {
            ConfigVersion = s.ConfigVersion, Spec = s.Spec, Secret = s.Secret, SliceGeneration = s.SliceGeneration, PartitionCount = Math.Max(1, s.PartitionCount),
        };
        state.PreviousSecrets.AddRange(s.PreviousSecrets);
        state.Nodes.Reserve(s.Nodes.Count, s.Nodes.Select(n => (n.Id, n.Address)));
        foreach (var n in s.Nodes)
        {
            state.Nodes.Set(n.Id, n.Address, n.AddedAt);
            state.Nodes.Apply(new DeliveryOutcome(n.Id, n.State, n.Version, n.IssuedAt, n.DeliveredAt, n.ExpiresAt, n.NextAttemptAt, n.Attempts, n.LastError));
        }
        return state;
    }
}
