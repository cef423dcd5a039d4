using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A customer's metadata issuer on loopback: GET /certs/{service}/{node} answers the content set
/// for that node, with an optional Expires header.</summary>
public sealed class TestIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentDictionary<string, string> Content { get; } = new();
    public ConcurrentDictionary<string, DateTimeOffset> Expires { get; } = new();
    public int Port { get; }
    public string Template => $"http://127.0.0.1:{Port}/certs/{{service}}/{{node}}";
    private int _fetches;
    public int Fetches => _fetches;
    private readonly object _holdLock = new();
    private TaskCompletionSource? _gate; // what held fetches wait on, until ReleaseHeld
    private int _toHold;                 // fetches still to hold (int.MaxValue: all)
    private int _held;

    /// <summary>Fetches that have been held.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>The next fetch gets no answer until <see cref="ReleaseHeld"/> (or its client gives up); later ones are answered.</summary>
    public void HoldNextFetch() => Hold(1);

    /// <summary>Every fetch from now on waits until <see cref="ReleaseHeld"/> (or its client gives up).</summary>
    public void HoldFetches() => Hold(int.MaxValue);

    private void Hold(int count)
    {
        lock (_holdLock)
        {
            _gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _toHold = count;
        }
    }

    /// <summary>Answers the held fetches whose clients still wait, and holds no more.</summary>
    public void ReleaseHeld()
    {
        lock (_holdLock)
        {
            _gate?.TrySetResult();
            _gate = null;
            _toHold = 0;
        }
    }

    /// <summary>The gate this fetch must wait on, or null to answer it now.</summary>
    private TaskCompletionSource? GateFor()
    {
        lock (_holdLock)
        {
            if (_toHold == 0 || _gate is null) return null;
            if (_toHold != int.MaxValue) _toHold--;
            _held++;
            return _gate;
        }
    }

    private TestIssuer(WebApplication app, int port) { _app = app; Port = port; }

    public static async Task<TestIssuer> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestIssuer(app, port);
        app.MapGet("/certs/{service}/{node}", async (string service, string node, HttpContext http) =>
        {
            var response = http.Response;
            Interlocked.Increment(ref issuer._fetches);
            if (issuer.GateFor() is { } gate)
            {
                try { await gate.Task.WaitAsync(http.RequestAborted); }
                catch (OperationCanceledException) { return Results.Empty; }
            }
            if (!issuer.Content.TryGetValue(node, out var content)) return Results.NotFound();
            if (issuer.Expires.TryGetValue(node, out var expires)) response.Headers.Expires = expires.ToString("R");
            return Results.Text(content, "text/plain");
        });
        await app.StartAsync();
        return issuer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
