using System.Diagnostics.Metrics;

namespace MetadataDelivery.Engine.Tests;

/// <summary>Meters without a host's DI, for the engine's metrics in actor tests.</summary>
internal sealed class PlainMeterFactory : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);
    public void Dispose() { }
}
