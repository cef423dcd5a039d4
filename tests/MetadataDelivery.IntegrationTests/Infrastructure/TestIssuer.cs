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

    private TestIssuer(WebApplication app, int port) { _app = app; Port = port; }

    public static async Task<TestIssuer> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestIssuer(app, port);
        app.MapGet("/certs/{service}/{node}", (string service, string node, HttpResponse response) =>
        {
            Interlocked.Increment(ref issuer._fetches);
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
