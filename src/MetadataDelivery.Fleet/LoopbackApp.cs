using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Fleet;

/// <summary>A minimal, silent web app on a loopback port (0 = any free one), for the simulators.</summary>
public static class LoopbackApp
{
    public static WebApplication Create(int port, long maxRequestBodyBytes = 2 * 1024 * 1024)
    {
        // No configuration-file watching: it is a recursive inotify watch on the working directory, which may hold
        // a member's data directory (every write there would wake it).
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IMeterFactory, UnlistenedMeterFactory>(); // not counted by a member in the same process
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxRequestBodyBytes);
        return builder.Build();
    }

    /// <summary>The port the started app actually listens on.</summary>
    public static int BoundPort(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
}
