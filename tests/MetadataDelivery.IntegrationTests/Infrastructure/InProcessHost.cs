using MetadataDelivery.Host;
using Microsoft.AspNetCore.Builder;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A whole member (Akka cluster of one, SQLite, HTTP API) in the test process, on loopback ports.</summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    public HostArgs Args { get; }
    public ApiClient Operator { get; }
    public IServiceProvider Services => _app.Services;

    private InProcessHost(WebApplication app, HostArgs args)
    {
        _app = app;
        Args = args;
        Operator = new ApiClient(args.BaseAddress, args.AdminKey);
    }

    public static Task<InProcessHost> StartAsync(string dataDir, params string[] extra) => StartAsync(HostArgs.Fresh(dataDir), extra);

    /// <summary>Starts a member with given arguments, e.g. those of a member that was stopped (a restart).</summary>
    public static async Task<InProcessHost> StartAsync(HostArgs args, params string[] extra)
    {
        var app = MdsHost.Build(args.ToArgs(extra));
        await app.StartAsync();
        var host = new InProcessHost(app, args);
        await host.WaitReadyAsync();
        return host;
    }

    public ApiClient Tenant(string key) => Operator.WithKey(key);

    private async Task WaitReadyAsync()
    {
        using var anonymous = Operator.WithKey(null);
        await Eventually.TrueAsync(async () => (await anonymous.GetAsync("/healthz/ready")).Status == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "host ready");
    }

    public async ValueTask DisposeAsync()
    {
        Operator.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
