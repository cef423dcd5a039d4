using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetadataDelivery.Fleet;

/// <summary>A customer's metadata issuer on loopback: <c>GET /certs/{service}/{node}</c> answers a fresh
/// payload of the configured size (10 KB, like a certificate chain) with an <c>Expires</c> header.</summary>
public sealed class IssuerSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _fetches;

    private IssuerSimulator(WebApplication app) => _app = app;

    public int Port { get; private set; }
    public long Fetches => Interlocked.Read(ref _fetches);
    public string Template => $"http://127.0.0.1:{Port}/certs/{{service}}/{{node}}";

    public static async Task<IssuerSimulator> StartAsync(int payloadBytes, TimeSpan lifetime)
    {
        var app = LoopbackApp.Create(0);
        var issuer = new IssuerSimulator(app);
        app.MapGet("/certs/{service}/{node}", (HttpResponse response) =>
        {
            Interlocked.Increment(ref issuer._fetches);
            var payload = new byte[payloadBytes];
            RandomNumberGenerator.Fill(payload.AsSpan(0, Math.Min(64, payloadBytes))); // a new version every fetch
            response.Headers.Expires = DateTimeOffset.UtcNow.Add(lifetime).ToString("R");
            return Results.Bytes(payload, "application/octet-stream");
        });
        await app.StartAsync();
        issuer.Port = LoopbackApp.BoundPort(app);
        return issuer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
