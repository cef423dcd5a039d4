using System.Collections.Concurrent;
using MetadataDelivery.Agent;
using MetadataDelivery.Domain.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A real node agent (MetadataDelivery.Agent) on a loopback port, with a recorder in front of it and
/// a switch to make it answer 503 for the next N pushes.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    public sealed record Push(DateTimeOffset At, int Status, string Version, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string DeliveryId);

    private WebApplication? _app;
    private int _failNext;
    private readonly string[] _args;

    public string Node { get; }
    public int Port { get; }
    public string DataDir { get; }
    public ConcurrentQueue<Push> Pushes { get; } = new();
    public string Address => $"127.0.0.1:{Port}";
    public bool Running => _app is not null;

    public TestAgent(string node, string dataDir, string tenant, string service, string secret, string? apiUrl = null, int? port = null)
    {
        Node = node;
        Port = port ?? Ports.Free();
        DataDir = dataDir;
        _args =
        [
            $"--urls=http://127.0.0.1:{Port}",
            $"--Agent:Node={node}",
            $"--Agent:DataDir={dataDir}",
            $"--Agent:Services:0:Tenant={tenant}",
            $"--Agent:Services:0:Service={service}",
            $"--Agent:Services:0:Secret={secret}",
            ..(apiUrl is null ? Array.Empty<string>() : [$"--Agent:ApiUrl={apiUrl}"]),
            "--Logging:LogLevel:Default=Warning",
        ];
    }

    /// <summary>Accepted pushes (2xx), in arrival order.</summary>
    public IReadOnlyList<Push> Accepted => Pushes.Where(p => p.Status == 200).ToList();

    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    /// <summary>Waits (10 s at most) until this agent has accepted at least one push.</summary>
    public Task WaitForDeliveryAsync(string what = "first delivery") =>
        Eventually.TrueAsync(() => Task.FromResult(Accepted.Count >= 1), TimeSpan.FromSeconds(10), $"{Node}: {what}");

    public async Task StartAsync()
    {
        var app = AgentApp.Build(_args, a => a.Use(RecordAsync));
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        var app = _app;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task RecordAsync(HttpContext http, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(http.Request.Method)) { await next(http); return; }
        http.Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        http.Request.Body.Position = 0;
        Envelope? envelope = null;
        try { envelope = Envelope.FromJson(buffer.ToArray()); } catch (System.Text.Json.JsonException) { }

        if (Interlocked.Decrement(ref _failNext) >= 0)
            http.Response.StatusCode = 503;
        else
        {
            Interlocked.Exchange(ref _failNext, 0);
            await next(http);
        }
        if (envelope is not null && Envelope.TryParseTime(envelope.IssuedAt, out var issued) && Envelope.TryParseTime(envelope.ExpiresAt, out var expires))
            Pushes.Enqueue(new Push(DateTimeOffset.UtcNow, http.Response.StatusCode, envelope.Version, issued, expires, envelope.DeliveryId));
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
