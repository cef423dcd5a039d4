using System.Collections.Concurrent;
using MetadataDelivery.Domain.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetadataDelivery.Fleet;

/// <summary>Stands in for many node agents on one loopback port: the node is taken from the envelope.
/// It verifies signatures like a real agent, keeps each node's held version and refuses older items.
/// Used by the demo (and the bench); real deployments run <c>MetadataDelivery.Agent</c> on each node.</summary>
public sealed class FleetSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<string, string, IReadOnlyList<string>> _secretsOf;
    private readonly ConcurrentDictionary<string, HeldItem> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private long _acceptedTotal;
    private long _late;
    private readonly ConcurrentQueue<double> _lateness = new();
    private readonly ConcurrentDictionary<long, int> _perSecond = new();
    private readonly ConcurrentDictionary<string, int> _acceptedByService = new(StringComparer.Ordinal);
    private long _rejected;
    private int _inFlight;
    private int _maxInFlight;

    public sealed record HeldItem(string Version, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

    private FleetSimulator(WebApplication app, Func<string, string, IReadOnlyList<string>> secretsOf)
    {
        _app = app;
        _secretsOf = secretsOf;
    }

    public int Port { get; private set; }
    public long Accepted => Interlocked.Read(ref _acceptedTotal);
    public long Rejected => Interlocked.Read(ref _rejected);
    public IReadOnlyDictionary<string, HeldItem> Held => _held;

    /// <summary>Pushes accepted for one node (of one tenant's service) by this simulator.</summary>
    public int AcceptedFor(string tenant, string service, string node) => _accepted.GetValueOrDefault($"{tenant}/{service}/{node}");

    /// <summary>Pushes accepted for all nodes of one service.</summary>
    public int AcceptedForService(string tenant, string service) => _acceptedByService.GetValueOrDefault($"{tenant}/{service}");

    /// <summary>New items that arrived after the item the node held had already expired: each is an expiry the node lived through.</summary>
    public long LateArrivals => Interlocked.Read(ref _late);

    /// <summary>When set, each renewal's lateness is recorded: arrival minus the latest moment the renewal
    /// policy allows (issuedAt + (renewAt + 5 % jitter) × lifetime), or zero when on time.</summary>
    public double? RenewAt { get; set; }

    public IReadOnlyCollection<double> LatenessMs => _lateness;

    /// <summary>Each push is answered only after this delay (a slow agent or network).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>The most pushes this simulator has been handling at once.</summary>
    public int MaxConcurrentPushes => Volatile.Read(ref _maxInFlight);

    /// <summary>Accepted pushes per UTC second (unix seconds → count).</summary>
    public IReadOnlyDictionary<long, int> AcceptedPerSecond => _perSecond;

    /// <param name="secretsOf">(tenant, service) → the delivery secrets currently valid.</param>
    public static async Task<FleetSimulator> StartAsync(int port, string path, Func<string, string, IReadOnlyList<string>> secretsOf)
    {
        var app = LoopbackApp.Create(port);
        var fleet = new FleetSimulator(app, secretsOf);
        app.MapPost(path, (Func<HttpContext, Task<IResult>>)fleet.HandleAsync);
        await app.StartAsync();
        fleet.Port = LoopbackApp.BoundPort(app);
        return fleet;
    }

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
            if (Interlocked.CompareExchange(ref _maxInFlight, now, max) == max) break;
        try
        {
            if (ResponseDelay > TimeSpan.Zero) await Task.Delay(ResponseDelay);
            return await VerifyAndHoldAsync(http);
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    private async Task<IResult> VerifyAndHoldAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        Envelope? envelope;
        try { envelope = Envelope.FromJson(body); }
        catch (System.Text.Json.JsonException) { envelope = null; }
        if (envelope is null) return Reject(StatusCodes.Status400BadRequest, "body is not an envelope");

        var verdict = PushSignature.Verify(_secretsOf(envelope.Tenant, envelope.Service),
            http.Request.Headers[PushSignature.TimestampHeader], http.Request.Headers[PushSignature.SignatureHeader],
            body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        if (verdict != PushSignature.Verdict.Valid) return Reject(StatusCodes.Status401Unauthorized, $"signature {verdict}");
        if (!Envelope.TryParseTime(envelope.IssuedAt, out var issuedAt) || !Envelope.TryParseTime(envelope.ExpiresAt, out var expiresAt))
            return Reject(StatusCodes.Status400BadRequest, "bad times");

        var key = $"{envelope.Tenant}/{envelope.Service}/{envelope.Node}";
        var current = _held.GetOrAdd(key, _ => new HeldItem(envelope.Version, issuedAt, expiresAt));
        if (current.Version != envelope.Version)
        {
            if (issuedAt < current.IssuedAt) return Reject(StatusCodes.Status409Conflict, "older than the held item");
            var now = DateTimeOffset.UtcNow;
            if (now > current.ExpiresAt) Interlocked.Increment(ref _late);
            if (RenewAt is { } renewAt)
            {
                var latestAllowed = current.IssuedAt + (current.ExpiresAt - current.IssuedAt) * Math.Min(0.97, renewAt + 0.05);
                _lateness.Enqueue(Math.Max(0, (now - latestAllowed).TotalMilliseconds));
            }
            _held[key] = new HeldItem(envelope.Version, issuedAt, expiresAt);
        }
        Interlocked.Increment(ref _acceptedTotal);
        _accepted.AddOrUpdate(key, 1, (_, n) => n + 1);
        _acceptedByService.AddOrUpdate($"{envelope.Tenant}/{envelope.Service}", 1, (_, n) => n + 1);
        _perSecond.AddOrUpdate(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, (_, n) => n + 1);
        return Results.Json(new { version = envelope.Version });
    }

    private IResult Reject(int status, string reason)
    {
        Interlocked.Increment(ref _rejected);
        return Results.Json(new { error = reason }, statusCode: status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
