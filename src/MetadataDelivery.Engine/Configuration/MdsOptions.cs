namespace MetadataDelivery.Engine.Configuration;

/// <summary>The <c>Mds</c> configuration section (CONTRACT §1). Defaults are the embedded ones.</summary>
public sealed class MdsOptions
{
    public const string Section = "Mds";

    public string DataDir { get; set; } = "./data";
    public string? AdminKey { get; set; }
    public PersistenceOptions Persistence { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public NodeMapOptions NodeMaps { get; set; } = new();
    public S3Options S3 { get; set; } = new();
    public DeliveryOptions Delivery { get; set; } = new();

    public string FullDataDir => Path.GetFullPath(DataDir);
    public bool IsPostgres => string.Equals(Persistence.Provider, "postgres", StringComparison.OrdinalIgnoreCase);
    public bool AllowFileNodeMaps => NodeMaps.AllowFileUris ?? !IsPostgres;
}

public sealed class PersistenceOptions
{
    public string Provider { get; set; } = "sqlite";
    public string? ConnectionString { get; set; }
    /// <summary>Embedded mode: write the pull-envelope segments with direct I/O where the OS offers it (Linux). Each
    /// batch then waits for the device instead of a copy into the page cache: cheaper in CPU, slower on a slow disk.</summary>
    public bool DirectIo { get; set; } = true;
}

public sealed class ClusterOptions
{
    public string Hostname { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 4053;
    public string? Seeds { get; set; }
    public string Roles { get; set; } = "api,delivery";
    public string Region { get; set; } = "default";
    public int Shards { get; set; } = 100;
    /// <summary>Split-brain resolver stable-after: how long an unreachable member waits before it is downed.</summary>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(20);

    public string[] RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public bool HasRole(string role) => RoleList.Contains(role, StringComparer.OrdinalIgnoreCase);
}

/// <summary><c>Mds:S3</c>. Credentials come from the AWS SDK's default chain unless both keys are set here.</summary>
public sealed class S3Options
{
    /// <summary>e.g. <c>http://127.0.0.1:9000</c> for MinIO; empty for AWS.</summary>
    public string? ServiceUrl { get; set; }
    public bool ForcePathStyle { get; set; }
    /// <summary>AWS region (default: the SDK's chain, else us-east-1).</summary>
    public string? Region { get; set; }
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class NodeMapOptions
{
    public bool? AllowFileUris { get; set; }
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(1);
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;
    public int MaxNodes { get; set; } = 2_000_000;
}

public sealed class DeliveryOptions
{
    public int MaxPushesPerSecond { get; set; } = 5000;
    public int MaxInFlight { get; set; } = 512;
    /// <summary>Delivery attempts (fetch + push) running at once on a member, over all its services. Each service's
    /// maxConcurrency still applies; this bounds their sum, so that a mass rotation of many services does not
    /// hold thousands of fetched payloads queued for the pipeline (measured at saturation: 10 services × 1024
    /// attempts tripled GC pauses and cut throughput by a fifth). The default matches MaxInFlight: attempts
    /// beyond the pushes the pipeline keeps open would only wait in its queue. Partitions take a slot before they
    /// spawn an attempt (see AttemptBudget); forced deliveries take one even beyond it.</summary>
    public int MaxAttemptsInFlight { get; set; } = 512;
    /// <summary>Pushes waiting for the throttle; beyond it, delivery actors wait (backpressure).</summary>
    public int QueueCapacity { get; set; } = 10_000;
    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>An attempt (fetch + queue + push) taking longer than this is abandoned and counted as failed
    /// (checked at start: between <see cref="MinAttemptTimeout"/> and <see cref="MaxAttemptTimeout"/>).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan MaxAttemptTimeout = TimeSpan.FromDays(1);
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;
    /// <summary>Delivery outcomes are journaled in batches at most this far apart.</summary>
    public TimeSpan OutcomeFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public int OutcomeBatchSize { get; set; } = 500;
    public int SnapshotEveryEvents { get; set; } = 200;
    /// <summary>A service's nodes are split into node partitions (sharded entities of their own) of at most this
    /// many nodes; the count is a power of two and only grows.</summary>
    public int NodesPerPartition { get; set; } = 20_000;
}
