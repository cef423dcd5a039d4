namespace MetadataDelivery.IntegrationTests;

/// <summary>Tests that read values from a host's /metrics run alone, after the parallel ones. The tests run several
/// hosts in one process; every host's MeterProvider subscribes to every meter named MetadataDelivery, and OpenTelemetry
/// merges same-named gauges into one stream whose last callback wins, so another host's value can show (seen once in
/// CI: node_state_bytes 0). A member runs one host per process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoleHostCollection
{
    public const string Name = "one host in the process";
}
