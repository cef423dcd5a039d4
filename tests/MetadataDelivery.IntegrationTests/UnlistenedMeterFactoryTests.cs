using System.Diagnostics.Metrics;
using MetadataDelivery.Fleet;

namespace MetadataDelivery.IntegrationTests;

/// <summary>The simulators' meter factory: a listener that subscribes by ASP.NET Core's meter name (as a member's
/// OpenTelemetry does) never enables its instruments; its meters go with it.</summary>
public sealed class UnlistenedMeterFactoryTests
{
    [Fact]
    public void A_listener_subscribing_by_the_asked_name_records_nothing_and_disposal_ends_the_meters()
    {
        const string asked = "Microsoft.AspNetCore.Hosting";
        var factory = new UnlistenedMeterFactory();
        var enabledByName = 0;
        var completed = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == asked) { enabledByName++; l.EnableMeasurementEvents(instrument); }
            else if (instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument); // to see the disposal
        };
        listener.MeasurementsCompleted = (instrument, _) => completed.Add(instrument.Name);
        listener.Start();

        var meter = factory.Create(new MeterOptions(asked) { Version = "1.0", Tags = [new("k", "v")] });
        var counter = meter.CreateCounter<long>("http.server.active_requests");

        Assert.Equal(UnlistenedMeterFactory.NamePrefix + asked, meter.Name);
        Assert.Same(factory, meter.Scope);
        Assert.Equal("1.0", meter.Version);
        Assert.Equal(new KeyValuePair<string, object?>("k", "v"), Assert.Single(meter.Tags!));
        Assert.Equal(0, enabledByName);

        factory.Dispose();
        Assert.Equal(["http.server.active_requests"], completed);
        Assert.Throws<ObjectDisposedException>(() => factory.Create(new MeterOptions(asked)));
        GC.KeepAlive(counter);
    }
}
