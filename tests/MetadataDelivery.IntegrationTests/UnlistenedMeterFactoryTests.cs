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
        using var members = new Meter(asked); // what a member's own ASP.NET Core creates: the listener must take it
        members.CreateCounter<long>("http.server.active_requests");
        var enabledByName = new List<Meter>(); // other tests' hosts in this process publish theirs too
        var completed = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == asked) { lock (enabledByName) enabledByName.Add(instrument.Meter); l.EnableMeasurementEvents(instrument); }
            else if (instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument); // to see the disposal
        };
        listener.MeasurementsCompleted = (instrument, _) =>
        {
            if (instrument.Meter.Scope == factory) lock (completed) completed.Add(instrument.Name);
        };
        listener.Start();

        var meter = factory.Create(new MeterOptions(asked) { Version = "1.0", Tags = [new("k", "v")] });
        var counter = meter.CreateCounter<long>("http.server.active_requests");

        Assert.Equal(UnlistenedMeterFactory.NamePrefix + asked, meter.Name);
        Assert.Same(factory, meter.Scope);
        Assert.Equal("1.0", meter.Version);
        Assert.Equal(new KeyValuePair<string, object?>("k", "v"), Assert.Single(meter.Tags!));
        lock (enabledByName)
        {
            Assert.Contains(members, enabledByName);
            Assert.DoesNotContain(meter, enabledByName);
        }

        factory.Dispose();
        lock (completed) Assert.Equal(["http.server.active_requests"], completed);
        Assert.Throws<ObjectDisposedException>(() => factory.Create(new MeterOptions(asked)));
        GC.KeepAlive(counter);
    }
}
