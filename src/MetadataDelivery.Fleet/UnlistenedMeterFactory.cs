using System.Diagnostics.Metrics;

namespace MetadataDelivery.Fleet;

/// <summary>Gives a simulator's ASP.NET Core and Kestrel meters names that no listener subscribes to, so they stay
/// disabled and record nothing.
/// <para>Why: a simulator shares its process with a member (the bench, the demo, the tests), and the member's
/// OpenTelemetry subscribes to meters by name across the whole process (<c>Microsoft.AspNetCore.Hosting</c>). It
/// counted every push and fetch the simulators served as requests of its own (<c>http_route="/v1/metadata"</c> on the
/// member's /metrics), and paid for recording two of them per delivery in the bench, which no member pays when its
/// agents and sources are other machines.</para></summary>
public sealed class UnlistenedMeterFactory : IMeterFactory
{
    public const string NamePrefix = "MetadataDelivery.Fleet.Unlistened/";

    private readonly List<Meter> _meters = [];
    private bool _disposed;

    /// <summary>A new meter on every call: ASP.NET Core asks once per meter name and app.</summary>
    public Meter Create(MeterOptions options)
    {
        lock (_meters)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var meter = new Meter(new MeterOptions(NamePrefix + options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            _meters.Add(meter);
            return meter;
        }
    }

    public void Dispose()
    {
        lock (_meters)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var meter in _meters) meter.Dispose();
            _meters.Clear();
        }
    }
}
