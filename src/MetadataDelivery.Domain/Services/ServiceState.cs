using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Domain.Services;

/// <summary>The state of one service, built only by applying its events (live or during recovery).</summary>
public sealed class ServiceState
{
    public ServiceKey Key { get; private set; }
    public ServiceSpec? Spec { get; private set; }
    public string? Secret { get; private set; }
    /// <summary>Secrets replaced by rotations, each valid until its own grace period ends.</summary>
    public List<PreviousSecret> PreviousSecrets { get; } = [];
    public DateTimeOffset? RegisteredAt { get; private set; }
    public NodeMapStatus MapStatus { get; private set; } = NodeMapStatus.Never;
    public Dictionary<string, NodeRecord> Nodes { get; } = new(StringComparer.Ordinal);

    public bool IsRegistered => Spec is not null;

    public ServiceState(ServiceKey key) => Key = key;

    public IEnumerable<string> ValidSecrets(DateTimeOffset now)
    {
        if (Secret is not null) yield return Secret;
        foreach (var p in PreviousSecrets) if (p.ValidUntil > now) yield return p.Secret;
    }

    public void Apply(IServiceEvent e)
    {
        switch (e)
        {
            case ServiceRegistered r:
                Key = r.Key; Spec = r.Spec; Secret = r.Secret; RegisteredAt = r.At;
                PreviousSecrets.Clear();
                MapStatus = NodeMapStatus.Never;
                Nodes.Clear();
                break;
            case ServiceSpecUpdated u:
                Spec = u.Spec;
                break;
            case ServiceDeleted:
                Spec = null; Secret = null; RegisteredAt = null;
                PreviousSecrets.Clear();
                MapStatus = NodeMapStatus.Never;
                Nodes.Clear();
                break;
            case DeliverySecretRotated s:
                // Older secrets whose grace has run out by the time of this rotation are dropped; the others stay.
                PreviousSecrets.RemoveAll(p => p.ValidUntil <= s.PreviousValidUntil - DeliverySecretGrace);
                PreviousSecrets.Add(new PreviousSecret(s.PreviousSecret, s.PreviousValidUntil));
                Secret = s.Secret;
                break;
            case NodeMapApplied m:
                foreach (var id in m.Removed) Nodes.Remove(id);
                foreach (var n in m.Added) Nodes[n.Id] = new NodeRecord(n.Address, m.At);
                foreach (var n in m.Readdressed) if (Nodes.TryGetValue(n.Id, out var rec)) rec.Address = n.Address;
                MapStatus = new NodeMapStatus(m.ETag, m.At, m.NodeCount, null, null);
                break;
            case NodeMapRejected rej:
                MapStatus = MapStatus with { LastError = rej.Error, LastErrorAt = rej.At };
                break;
            case DeliveryOutcomesRecorded batch:
                foreach (var o in batch.Outcomes) if (Nodes.TryGetValue(o.Node, out var rec)) rec.Apply(o);
                break;
            default:
                throw new InvalidOperationException($"unknown service event {e.GetType().Name}");
        }
    }

    public NodeCounts Counts()
    {
        int delivered = 0, pending = 0, retrying = 0, expired = 0;
        foreach (var n in Nodes.Values)
        {
            switch (n.State)
            {
                case NodeState.Delivered: delivered++; break;
                case NodeState.Pending: pending++; break;
                case NodeState.Retrying: retrying++; break;
                case NodeState.Expired: expired++; break;
            }
        }
        return new NodeCounts(Nodes.Count, delivered, pending, retrying, expired);
    }

    public static readonly TimeSpan DeliverySecretGrace = TimeSpan.FromMinutes(10);

    public ServiceSnapshot ToSnapshot() => new(Key, Spec, Secret, PreviousSecrets.ToList(), RegisteredAt, MapStatus,
        Nodes.Select(kv => new NodeSnapshot(kv.Key, kv.Value.Address, kv.Value.AddedAt, kv.Value.State, kv.Value.Version,
            kv.Value.IssuedAt, kv.Value.DeliveredAt, kv.Value.ExpiresAt, kv.Value.NextAttemptAt, kv.Value.Attempts, kv.Value.LastError)).ToList());

    public static ServiceState FromSnapshot(ServiceSnapshot s)
    {
        var state = new ServiceState(s.Key)
        {
            Spec = s.Spec, Secret = s.Secret, RegisteredAt = s.RegisteredAt, MapStatus = s.MapStatus,
        };
        state.PreviousSecrets.AddRange(s.PreviousSecrets);
        foreach (var n in s.Nodes)
        {
            var rec = new NodeRecord(n.Address, n.AddedAt);
            rec.Apply(new DeliveryOutcome(n.Id, n.State, n.Version, n.IssuedAt, n.DeliveredAt, n.ExpiresAt, n.NextAttemptAt, n.Attempts, n.LastError));
            state.Nodes[n.Id] = rec;
        }
        return state;
    }
}
