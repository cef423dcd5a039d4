namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>The command line of a test member: loopback ports, its own data dir, a known operator key,
/// and short intervals so that tests see syncs and batches quickly.</summary>
public sealed record HostArgs(string DataDir, int HttpPort, int AkkaPort, string AdminKey)
{
    public static HostArgs Fresh(string dataDir) => new(dataDir, Ports.Free(), Ports.Free(), "mds_admin_test_" + Guid.NewGuid().ToString("N"));

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public string[] ToArgs(params string[] extra) =>
    [
        $"--urls=http://127.0.0.1:{HttpPort}",
        $"--Mds:DataDir={DataDir}",
        $"--Mds:AdminKey={AdminKey}",
        $"--Mds:Cluster:Hostname=127.0.0.1",
        $"--Mds:Cluster:Port={AkkaPort}",
        "--Mds:NodeMaps:SyncInterval=00:00:02",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Akka=Warning",
        // tests poll and register in bulk; the rate limiter has its own test with low limits
        "--Mds:Api:RateLimitPerSecond=100000",
        "--Mds:Api:RateLimitBurst=100000",
        ..extra,
    ];
}
