using System.Collections.Concurrent;
using MetadataDelivery.Domain.Delivery;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Agent;

/// <summary>What this node holds, per service, under <c>&lt;DataDir&gt;/&lt;tenant&gt;/&lt;service&gt;/</c>: <c>payload</c>
/// (the metadata itself) and <c>envelope.json</c>. Both are written atomically: temp file, fsync, rename.</summary>
public sealed class MetadataStore(IOptions<AgentOptions> options)
{
    public const string PayloadFile = "payload";
    public const string EnvelopeFile = "envelope.json";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<string, Envelope?> _held = new();

    public enum Outcome { Stored, AlreadyHeld, Older }

    public string DirectoryOf(string tenant, string service) => Path.Combine(Path.GetFullPath(options.Value.DataDir), tenant, service);

    public Envelope? Held(string tenant, string service) => _held.GetOrAdd(tenant + "/" + service, _ => Load(tenant, service));

    /// <summary>Stores the envelope unless this node already holds that version (success) or a newer item (refused).</summary>
    public async Task<Outcome> AcceptAsync(Envelope envelope, byte[] payload, byte[] envelopeJson, CancellationToken ct)
    {
        var key = envelope.Tenant + "/" + envelope.Service;
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var held = Held(envelope.Tenant, envelope.Service);
            if (held is not null)
            {
                if (held.Version == envelope.Version) return Outcome.AlreadyHeld;
                if (Envelope.TryParseTime(held.IssuedAt, out var heldIssued) && Envelope.TryParseTime(envelope.IssuedAt, out var issued) && issued < heldIssued)
                    return Outcome.Older;
            }
            var dir = DirectoryOf(envelope.Tenant, envelope.Service);
            Directory.CreateDirectory(dir);
            await WriteAtomicallyAsync(Path.Combine(dir, PayloadFile), payload, ct);
            await WriteAtomicallyAsync(Path.Combine(dir, EnvelopeFile), envelopeJson, ct);
            _held[key] = envelope;
            return Outcome.Stored;
        }
        finally { gate.Release(); }
    }

    private Envelope? Load(string tenant, string service)
    {
        var path = Path.Combine(DirectoryOf(tenant, service), EnvelopeFile);
        try { return File.Exists(path) ? Envelope.FromJson(File.ReadAllBytes(path)) : null; }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException) { return null; }
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken ct)
    {
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, ct);
                file.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
