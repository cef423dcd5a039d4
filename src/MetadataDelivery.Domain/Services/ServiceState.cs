using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Domain.Services;

/// <summary>The control-plane state of one service, built only by applying its events (live or during
/// recovery). The nodes themselves live in the service's partitions (<see cref="Partitions.PartitionState"/>).</summary>
public sealed class ServiceState
{
    public ServiceKey Key { get; private set; }
    public ServiceSpec? Spec { get; private set; }
    public string? Secret { get; private set; }
    /// <summary>Secrets replaced by rotations, each valid until its own grace period ends.</summary>
    public List<PreviousSecret> PreviousSecrets { get; } = [];
    public DateTimeOffset? RegisteredAt { get; private set; }
    public NodeMapStatus MapStatus { get; private set; } = NodeMapStatus.Never;

    /// <summary>Grows with every change the partitions must follow (spec, secret, deletion); never reset,
    /// so a partition can tell a newer configuration from a late copy of an older one.</summary>
    public long ConfigVersion { get; private set; }
    /// <summary>The last node map all partitions applied; never reset, for the same reason.</summary>
    public long MapGeneration { get; private set; }
    /// <summary>The last distribution started (applied or not): the next one takes the number after it.</summary>
    public long DistributionGeneration { get; private set; }
    /// <summary>How many partitions hold this service's nodes, counting those a distribution in progress is adding
    /// (only grows; kept after deletion so that all of them can be retired).</summary>
    public int PartitionCount { get; private set; }
    /// <summary>The configuration version whose retirement every partition acknowledged (after a deletion).</summary>
    public long RetiredConfigVersion { get; private set; }

    /// <summary>Deleted, and every partition knows it.</summary>
    public bool IsFullyRetired => !IsRegistered && (PartitionCount == 0 || RetiredConfigVersion == ConfigVersion);

    public bool IsRegistered => Spec is not null;

    public ServiceState(ServiceKey key) => Key = key;

    public IEnumerable<string> ValidSecrets(DateTimeOffset now) => DeliverySecretRules.Valid(Secret, PreviousSecrets, now);

    public void Apply(IServiceEvent e)
    {
        switch (e)
        {
            case ServiceRegistered r:
                Key = r.Key; Spec = r.Spec; Secret = r.Secret; RegisteredAt = r.At;
                PreviousSecrets.Clear();
                MapStatus = NodeMapStatus.Never;
                PartitionCount = Math.Max(PartitionCount, 1);
                ConfigVersion++;
                break;
            case ServiceSpecUpdated u:
                Spec = u.Spec;
                ConfigVersion++;
                break;
            case ServiceDeleted:
                Spec = null; Secret = null; RegisteredAt = null;
                PreviousSecrets.Clear();
                MapStatus = NodeMapStatus.Never;
                ConfigVersion++;
                break;
            case DeliverySecretRotated s:
                // Older secrets whose grace has run out by the time of this rotation are dropped; the others stay.
                PreviousSecrets.RemoveAll(p => p.ValidUntil <= s.PreviousValidUntil - DeliverySecretGrace);
                PreviousSecrets.Add(new PreviousSecret(s.PreviousSecret, s.PreviousValidUntil));
                Secret = s.Secret;
                ConfigVersion++;
                break;
            case NodeMapDistributionStarted d:
                DistributionGeneration = Math.Max(DistributionGeneration, d.Generation);
                PartitionCount = Math.Max(PartitionCount, d.Partitions);
                break;
            case NodeMapApplied m:
                MapStatus = new NodeMapStatus(m.ETag, m.At, m.NodeCount, null, null);
                MapGeneration = Math.Max(MapGeneration, m.Generation);
                DistributionGeneration = Math.Max(DistributionGeneration, m.Generation);
                PartitionCount = Math.Max(PartitionCount, m.Partitions);
                break;
            case PartitionsRetired r:
                RetiredConfigVersion = Math.Max(RetiredConfigVersion, r.ConfigVersion);
                break;
            case NodeMapRejected rej:
                MapStatus = MapStatus with { LastError = rej.Error, LastErrorAt = rej.At };
                break;
            default:
                throw new InvalidOperationException($"unknown service event {e.GetType().Name}");
        }
    }

    public static readonly TimeSpan DeliverySecretGrace = TimeSpan.FromMinutes(10);

    public ServiceSnapshot ToSnapshot() =>
        new(Key, Spec, Secret, PreviousSecrets.ToList(), RegisteredAt, MapStatus, ConfigVersion, MapGeneration, PartitionCount,
            DistributionGeneration, RetiredConfigVersion);

    public static ServiceState FromSnapshot(ServiceSnapshot s)
    {
        var state = new ServiceState(s.Key)
        {
            Spec = s.Spec, Secret = s.Secret, RegisteredAt = s.RegisteredAt, MapStatus = s.MapStatus,
            ConfigVersion = s.ConfigVersion, MapGeneration = s.MapGeneration, PartitionCount = s.PartitionCount,
            DistributionGeneration = s.DistributionGeneration, RetiredConfigVersion = s.RetiredConfigVersion,
        };
        state.PreviousSecrets.AddRange(s.PreviousSecrets);
        return state;
    }
}
