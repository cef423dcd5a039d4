using System.Diagnostics;
using System.Text.Json;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The embedded envelope store: envelopes appended to segment files (<see cref="EnvelopeSegments"/>),
/// found through a small index row per node in the SQLite catalog. Every delivery replaces its node's envelope,
/// and one upsert of a 14 KB row per delivery (a b-tree cell with an overflow chain to free and rewrite) was the
/// largest cost the engine added per delivery; here a batch is one sequential write plus small index rows.
/// Space comes back by sweeps: a closed segment no index row points into is deleted, and one that is mostly dead
/// has its live envelopes copied forward first.</summary>
public sealed class SegmentEnvelopeStore : BatchedEnvelopeStore
{
    public const long DefaultMaxSegmentBytes = 64L * 1024 * 1024;

    private const int SweepAfterClosedSegments = 4;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private const int CompactionsPerSweep = 4;

    private readonly SqliteDatabase _db;
    private readonly EnvelopeSegments _segments;
    private readonly ILogger _log;
    private int _closedUnswept;
    private long _lastSweep;

    public SegmentEnvelopeStore(SqliteDatabase db, string directory, ILogger<SegmentEnvelopeStore> log, long maxSegmentBytes = DefaultMaxSegmentBytes)
        : base(log)
    {
        _db = db;
        _log = log;
        _segments = new EnvelopeSegments(directory, maxSegmentBytes);
        using (var c = _db.Open())
            SqliteDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS envelope_index (service TEXT NOT NULL, node TEXT NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
        MigrateEnvelopeTable();
        StartWriter();
    }

    public override async Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default)
    {
        // Twice at most: a sweep may have moved the envelope and deleted its segment between the lookup and the read.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var at = await Task.Run(() => Locate(key.EntityId, node), ct);
            if (at is null) return null;
            var bytes = _segments.TryRead(at.Value);
            if (bytes is null) continue;
            if (IsEnvelopeOf(bytes, key, node)) return bytes;
            _log.LogWarning("the stored envelope of {Node} of {Service} is damaged ({Location}); answering as if there were none", node, key, at.Value);
            return null;
        }
        return null;
    }

    protected override Task ApplyAsync(IReadOnlyList<Write> batch)
    {
        // The bytes first, handed to the OS, so that no index row committed below points past what the file holds.
        var placed = new Dictionary<Write, EnvelopeLocation>(ReferenceEqualityComparer.Instance);
        foreach (var write in batch)
            if (write is Save { Abandoned.IsCancellationRequested: false } save)
                placed[save] = _segments.Append(save.Envelope.Span);
        _segments.Flush();
        _closedUnswept += _segments.TakeClosedCount();

        using (var c = _db.Open())
        using (var tx = c.BeginTransaction())
        {
            using var upsert = IndexUpsert(c, tx);
            foreach (var write in batch)
            {
                switch (write)
                {
                    case Save s when placed.TryGetValue(s, out var at):
                        Bind(upsert, s.Service, s.Node, at).ExecuteNonQuery();
                        break;
                    case DeleteNodes d:
                        foreach (var node in d.Nodes) Exec(c, tx, "DELETE FROM envelope_index WHERE service = $s AND node = $n", ("$s", d.Service), ("$n", node));
                        break;
                    case DeleteService d:
                        Exec(c, tx, "DELETE FROM envelope_index WHERE service = $s", ("$s", d.Service));
                        break;
                }
            }
            tx.Commit();
        }
        if (_closedUnswept >= SweepAfterClosedSegments || Stopwatch.GetElapsedTime(_lastSweep) >= SweepInterval)
        {
            // The batch is committed whatever happens here: a failed sweep must not fail its saves.
            try { Sweep(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
            {
                _log.LogError(ex, "sweeping envelope segments failed; retried after the next segment or minute");
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Deletes the closed segments no index row points into, after copying forward the live envelopes of
    /// a few that are more than three quarters dead. Runs on the writer, so no save races it.</summary>
    internal void Sweep()
    {
        _closedUnswept = 0;
        _lastSweep = Stopwatch.GetTimestamp();
        var live = new Dictionary<long, long>();
        using (var c = _db.Open())
        using (var cmd = SqliteDatabase.Command(c, "SELECT segment, SUM(length) FROM envelope_index GROUP BY segment"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) live[r.GetInt64(0)] = r.GetInt64(1);

        var compactions = 0;
        foreach (var (segment, bytes) in _segments.Closed().ToList())
        {
            var liveBytes = live.GetValueOrDefault(segment);
            if (liveBytes > 0)
            {
                var mostlyDead = liveBytes * 4 < bytes;
                if (!mostlyDead || compactions == CompactionsPerSweep) continue;
                CopyForward(segment);
                compactions++;
            }
            _segments.Delete(segment);
        }
    }

    private void CopyForward(long segment)
    {
        using var c = _db.Open();
        var rows = new List<(string Service, string Node, EnvelopeLocation At)>();
        using (var cmd = SqliteDatabase.Command(c, "SELECT service, node, offset, length FROM envelope_index WHERE segment = $g", ("$g", segment)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), new EnvelopeLocation(segment, r.GetInt64(2), r.GetInt32(3))));
        var moved = new List<(string Service, string Node, EnvelopeLocation At)>(rows.Count);
        foreach (var row in rows)
            if (_segments.TryRead(row.At) is { } bytes) moved.Add((row.Service, row.Node, _segments.Append(bytes)));
        _segments.Flush();
        _closedUnswept += _segments.TakeClosedCount();
        using var tx = c.BeginTransaction();
        using (var upsert = IndexUpsert(c, tx))
            foreach (var (service, node, at) in moved) Bind(upsert, service, node, at).ExecuteNonQuery();
        // Rows whose bytes could not be read (a segment cut short by a machine crash) would point into a deleted file.
        Exec(c, tx, "DELETE FROM envelope_index WHERE segment = $g", ("$g", segment));
        tx.Commit();
        _log.LogDebug("envelope segment {Segment}: {Count} live envelopes copied forward", segment, moved.Count);
    }

    private EnvelopeLocation? Locate(string service, string node)
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT segment, offset, length FROM envelope_index WHERE service = $s AND node = $n", ("$s", service), ("$n", node));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new EnvelopeLocation(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)) : null;
    }

    /// <summary>The bytes found are only served if they are the envelope of this node: a torn write after a machine
    /// crash must read as "none", never as someone else's or half an envelope.</summary>
    private static bool IsEnvelopeOf(byte[] bytes, ServiceKey key, string node)
    {
        try
        {
            return Envelope.FromJson(bytes) is { } e && e.Tenant == key.Tenant && e.Service == key.Service && e.Node == node;
        }
        catch (JsonException) { return false; }
    }

    private static SqliteCommand IndexUpsert(SqliteConnection c, SqliteTransaction tx)
    {
        var cmd = SqliteDatabase.Command(c,
            "INSERT INTO envelope_index(service, node, segment, offset, length) VALUES ($s, $n, $g, $o, $l) " +
            "ON CONFLICT(service, node) DO UPDATE SET segment = excluded.segment, offset = excluded.offset, length = excluded.length",
            ("$s", ""), ("$n", ""), ("$g", 0L), ("$o", 0L), ("$l", 0));
        cmd.Transaction = tx;
        cmd.Prepare();
        return cmd;
    }

    private static SqliteCommand Bind(SqliteCommand upsert, string service, string node, EnvelopeLocation at)
    {
        upsert.Parameters["$s"].Value = service;
        upsert.Parameters["$n"].Value = node;
        upsert.Parameters["$g"].Value = at.Segment;
        upsert.Parameters["$o"].Value = at.Offset;
        upsert.Parameters["$l"].Value = at.Length;
        return upsert;
    }

    /// <summary>Envelopes stored by earlier versions in the catalog's <c>envelopes</c> table move into segments
    /// once, at start, so no node loses its pull envelope on upgrade.</summary>
    private void MigrateEnvelopeTable()
    {
        using var c = _db.Open();
        using (var exists = SqliteDatabase.Command(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'envelopes'"))
            if (exists.ExecuteScalar() is null) return;
        var moved = 0;
        using (var tx = c.BeginTransaction())
        {
            using var upsert = IndexUpsert(c, tx);
            using (var cmd = SqliteDatabase.Command(c, "SELECT service, node, envelope FROM envelopes"))
            {
                cmd.Transaction = tx;
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    var at = _segments.Append((byte[])r.GetValue(2));
                    Bind(upsert, r.GetString(0), r.GetString(1), at).ExecuteNonQuery();
                    moved++;
                }
            }
            _segments.Flush();
            Exec(c, tx, "DROP TABLE envelopes");
            tx.Commit();
        }
        _log.LogInformation("moved {Count} stored envelopes from the catalog into envelope segments", moved);
    }

    private static void Exec(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object?)[] args)
    {
        using var cmd = SqliteDatabase.Command(c, sql, args);
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _segments.Dispose();
    }
}
