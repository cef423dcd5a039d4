using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.S3;
using MetadataDelivery.Engine.Sources;
using MetadataDelivery.Engine.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetadataDelivery.Engine.Hosting;

public static class EngineServiceCollectionExtensions
{
    /// <summary>Registers the engine's non-actor parts: options, stores, sources, node-map readers, metrics, HTTP clients.</summary>
    public static IServiceCollection AddMdsEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MdsOptions>().Bind(configuration.GetSection(MdsOptions.Section))
            .Validate(o => o.Delivery.AttemptTimeout >= DeliveryOptions.MinAttemptTimeout && o.Delivery.AttemptTimeout <= DeliveryOptions.MaxAttemptTimeout,
                $"Mds:Delivery:AttemptTimeout must be between {DeliveryOptions.MinAttemptTimeout} and {DeliveryOptions.MaxAttemptTimeout}")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MdsMetrics>();

        // Both clients run thousands of requests a second; the factory's per-request logging scopes and lines
        // would cost more than the requests' own work, and failures are reported by the engine anyway.
        services.AddHttpClient(HttpMetadataSource.ClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(PushClient.ClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                MaxConnectionsPerServer = 1024,
                AllowAutoRedirect = false,
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        // Push and fetch log a line per request at Information otherwise: thousands per second.
        services.Configure<LoggerFilterOptions>(f => f.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));

        var mds = configuration.GetSection(MdsOptions.Section).Get<MdsOptions>() ?? new MdsOptions();
        if (mds.IsPostgres)
        {
            var connectionString = mds.Persistence.ConnectionString
                ?? throw new InvalidOperationException("Mds:Persistence:ConnectionString is required when Mds:Persistence:Provider=postgres");
            services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            services.AddSingleton<ICatalogStore, PostgresCatalogStore>();
            services.AddSingleton<IEnvelopeStore, PostgresEnvelopeStore>();
            services.AddSingleton<ICaKeyStore, PostgresCaKeyStore>();
        }
        else
        {
            services.AddSingleton(sp => new SqliteDatabase(Path.Combine(sp.GetRequiredService<IOptions<MdsOptions>>().Value.FullDataDir, "catalog.db")));
            services.AddSingleton<ICatalogStore, SqliteCatalogStore>();
            services.AddSingleton<IEnvelopeStore>(sp =>
            {
                var o = sp.GetRequiredService<IOptions<MdsOptions>>().Value;
                return new SegmentEnvelopeStore(sp.GetRequiredService<SqliteDatabase>(), Path.Combine(o.FullDataDir, "envelopes"),
                    sp.GetRequiredService<ILogger<SegmentEnvelopeStore>>(), directIo: o.Persistence.DirectIo);
            });
            services.AddSingleton<ICaKeyStore>(sp => new FileCaKeyStore(sp.GetRequiredService<IOptions<MdsOptions>>().Value.FullDataDir));
        }

        services.AddSingleton(sp => new Lazy<CertificateAuthority>(() => new CertificateAuthority(sp.GetRequiredService<ICaKeyStore>())));
        services.AddSingleton<MetadataSourceResolver>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MdsOptions>>().Value.NodeMaps;
            return new NodeMapLimits(o.MaxBytes, o.MaxNodes);
        });
        services.AddSingleton<S3ClientFactory>();
        services.AddSingleton<INodeMapSource, FileNodeMapSource>();
        services.AddSingleton<INodeMapSource, S3NodeMapSource>();
        services.AddSingleton<NodeMapReader>();
        services.AddSingleton<DeliveryServicesFactory>();
        return services;
    }
}
