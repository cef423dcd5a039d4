using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using MetadataDelivery.Domain;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Serialization;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Sharding;
using MetadataDelivery.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MetadataDelivery.Engine.Hosting;

/// <summary>One Akka.Hosting extension per concern; <see cref="WithMds"/> composes them for a member.</summary>
public static class AkkaBuilderExtensions
{
    public const string SystemName = "mds";
    public const string DeliveryRole = "delivery";
    public const string ServiceTypeName = "service";
    public const string PartitionTypeName = "partition";
    /// <summary>A member's region travels as a role, so every member sees every other's region.</summary>
    public const string RegionRolePrefix = "region-";

    public static string RegionOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(RegionRolePrefix, StringComparison.Ordinal))?[RegionRolePrefix.Length..] ?? "default";

    public static AkkaConfigurationBuilder WithMds(this AkkaConfigurationBuilder builder, MdsOptions options, IServiceProvider provider) => builder
        .WithMdsSerialization()
        .WithMdsCluster(options.Cluster)
        .WithMdsPersistence(options)
        .WithNodePartitions(options, provider)
        .WithServiceActors(options, provider)
        .WithActorSystemLivenessCheck()
        .WithAkkaClusterReadinessCheck();

    public static AkkaConfigurationBuilder WithMdsSerialization(this AkkaConfigurationBuilder builder) => builder
        .WithCustomSerializer("mds-json", [typeof(IMdsSerializable)], system => new MdsJsonSerializer(system))
        .WithStrictSerialization(true);

    public static AkkaConfigurationBuilder WithMdsCluster(this AkkaConfigurationBuilder builder, Configuration.ClusterOptions cluster)
    {
        var self = $"akka.tcp://{SystemName}@{cluster.Hostname}:{cluster.Port}";
        var seeds = string.IsNullOrWhiteSpace(cluster.Seeds)
            ? [self]
            : cluster.Seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return builder
            .WithRemoting(cluster.Hostname, cluster.Port)
            .WithClustering(new Akka.Cluster.Hosting.ClusterOptions
            {
                Roles = [.. cluster.RoleList, RegionRolePrefix + cluster.Region],
                SeedNodes = seeds,
                SplitBrainResolver = new KeepMajorityOption(),
            })
            // How long membership must be stable before the split-brain resolver downs unreachable members:
            // the floor of failover time.
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {(int)cluster.StableAfter.TotalMilliseconds}ms", HoconAddMode.Prepend)
            // A page of 1,000 node views or a 1,000-node slice chunk is a few hundred KB: above the 128 KB default.
            .AddHocon("akka.remote.dot-netty.tcp { maximum-frame-size = 4MiB, send-buffer-size = 8MiB, receive-buffer-size = 8MiB }", HoconAddMode.Prepend);
    }

    public static AkkaConfigurationBuilder WithMdsPersistence(this AkkaConfigurationBuilder builder, MdsOptions options)
    {
        if (options.IsPostgres)
        {
            var postgres = options.Persistence.ConnectionString
                ?? throw new InvalidOperationException("Mds:Persistence:ConnectionString is required when Mds:Persistence:Provider=postgres");
            return builder.WithSqlPersistence(postgres, ProviderName.PostgreSQL15);
        }
        if (!string.Equals(options.Persistence.Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Mds:Persistence:Provider must be 'sqlite' or 'postgres', not '{options.Persistence.Provider}'");
        Directory.CreateDirectory(options.FullDataDir);
        var connectionString = options.Persistence.ConnectionString ?? $"Data Source={Path.Combine(options.FullDataDir, "mds.db")}";
        SqliteJournalMode.UseWriteAheadLog(connectionString);
        return builder
            .WithSqlPersistence(connectionString, ProviderName.SQLiteMS)
            // SQLite has one writer: parallel journal writes would only contend for its lock.
            .AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
    }

    /// <summary>Node partitions first: ServiceActors recovering with the service region talk to them at once.</summary>
    public static AkkaConfigurationBuilder WithNodePartitions(this AkkaConfigurationBuilder builder, MdsOptions options, IServiceProvider provider) =>
        builder.WithDeliveryEntities<PartitionRegion>(PartitionTypeName, new PartitionMessageExtractor(options.Cluster.Shards), options, provider,
            NodePartitionActor.Props);

    public static AkkaConfigurationBuilder WithServiceActors(this AkkaConfigurationBuilder builder, MdsOptions options, IServiceProvider provider) =>
        builder.WithDeliveryEntities<ServiceRegion>(ServiceTypeName, new ServiceMessageExtractor(options.Cluster.Shards), options, provider,
            ServiceActor.Props);

    /// <summary>A sharded entity type that runs on <c>delivery</c> members, remembered (restarted after a crash or a
    /// hand-off) and stopped with the hand-off message that flushes its batched writes; members without the role
    /// reach it through a proxy.</summary>
    private static AkkaConfigurationBuilder WithDeliveryEntities<TRegion>(this AkkaConfigurationBuilder builder, string typeName,
        HashCodeMessageExtractor extractor, MdsOptions options, IServiceProvider provider, Func<string, DeliveryServices, Akka.Actor.Props> props)
    {
        if (!options.Cluster.HasRole(DeliveryRole))
            return builder.WithShardRegionProxy<TRegion>(typeName, DeliveryRole, extractor);
        var factory = provider.GetRequiredService<DeliveryServicesFactory>();
        return builder.WithShardRegion<TRegion>(typeName,
            (system, _, _) => entityId => props(entityId, factory.Create(system)),
            extractor,
            new ShardOptions
            {
                Role = DeliveryRole,
                RememberEntities = true,
                RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                StateStoreMode = StateStoreMode.Persistence,
                HandOffStopMessage = StopServiceActor.Instance,
            });
    }
}
