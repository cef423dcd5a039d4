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
    private TaskCompletionSource? _holdNext; // armed by HoldNextFetch, taken by the next fetch
    private TaskCompletionSource? _holding;  // the gate the held fetch waits on
    private int _held;

    /// <summary>Fetches that have been held by <see cref="HoldNextFetch"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>The next fetch gets no answer until <see cref="ReleaseHeld"/> (or its client gives up); later ones are answered.</summary>
    public void HoldNextFetch() => Volatile.Write(ref _holdNext, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ReleaseHeld() => Volatile.Read(ref _holding)?.TrySetResult();

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
            if (Interlocked.Exchange(ref issuer._holdNext, null) is { } gate)
            {
                Volatile.Write(ref issuer._holding, gate);
                Interlocked.Increment(ref issuer._held);
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
