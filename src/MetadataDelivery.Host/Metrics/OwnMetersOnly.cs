using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace MetadataDelivery.Host.Metrics;

/// <summary>Keeps a member's /metrics to the member's own instruments.
/// <para>Why: OpenTelemetry subscribes to meters by name across the whole process, and every host in a process
/// (a member's in-process demo fleet, an agent, other members in a test run) creates a meter named
/// <c>Microsoft.AspNetCore.Hosting</c> through its own <see cref="IMeterFactory"/>. A meter made by another host's
/// factory is dropped; meters without a factory scope (the runtime's) are process-wide and kept.</para></summary>
public static class OwnMetersOnly
{
    /// <summary>A view that drops every instrument whose meter was created by a meter factory other than <paramref name="own"/>.</summary>
    public static Func<Instrument, MetricStreamConfiguration?> View(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own)
            ? MetricStreamConfiguration.Drop
            : null;

    /// <summary>Adds the view once the host's services (and so its meter factory) exist.</summary>
    public static MeterProviderBuilder AddOwnMetersOnlyView(this MeterProviderBuilder builder)
    {
        if (builder is not IDeferredMeterProviderBuilder deferred)
            throw new InvalidOperationException("the meter provider must be built by the host (AddOpenTelemetry().WithMetrics)");
        deferred.Configure((services, b) => b.AddView(View(services.GetRequiredService<IMeterFactory>())));
        return builder;
    }
}
