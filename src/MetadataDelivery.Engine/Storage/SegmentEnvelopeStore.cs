using System.Diagnostics;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The embedded envelope store: envelopes appended to segment files (<see cref="EnvelopeSegments"/>),
/// found through a small index row per node in the SQLite catalog. Every delivery replaces its node's envelope,
/// and one upsert of a 14 KB row per delivery (a b-tree cell with an overflow chain to free and rewrite) was the
/// largest cost the engine added per delivery; here a batch is one sequential write plus small index rows.
/// The writer keeps the live bytes of every segment in memory (loaded once at start), so finding dead segments
/// needs no scan: a closed segment no index row points into is deleted. Only while the files hold more than twice
/// the live bytes (renewals normally empty old segments within one renewal period) does a sweep scan the index
/// once, to copy forward the live envelopes of the sparsest few closed segments and delete them.</summary>
public sealed class SegmentEnvelopeStore : BatchedEnvelopeStore
{
    public const long DefaultMaxSegmentBytes = 64L * 1024 * 1024;

    private const int SweepAfterClosedSegments = 4;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private const int CompactionsPerSweep = 4;
    /// <summary>Disk may hold this many times the live bytes, plus <see cref="CompactionSlackSegments"/> segments,
    /// before compaction starts.</summary>
    private const int DiskToLiveRatio = 2;
    private const int CompactionSlackSegments = 4;

    private readonly SqliteDatabase _db;
    private readonly EnvelopeSegments _segments;
    private readonly ILogger _log;
    private readonly long _maxSegmentBytes;
    private readonly Dictionary<long, long> _liveBytes = []; // segment → bytes index rows point at; writer only
    private int _closedUnswept;
    private long _lastSweep;

    public SegmentEnvelopeStore(SqliteDatabase db, string directory, ILogger<SegmentEnvelopeStore> log, long maxSegmentBytes = DefaultMaxSegmentBytes,
        bool directIo = true)
        : base(log)
    {
        _db = db;
        _log = log;
        _maxSegmentBytes = maxSegmentBytes;
        using (var c = _db.Open())
        {
            SqliteDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS envelope_index (service TEXT NOT NULL, node TEXT NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
            using var cmd = SqliteDatabase.Command(c, "SELECT segment, SUM(length) FROM envelope_index GROUP BY segment");
            using var r = cmd.ExecuteReader();
            while (r.Read()) _liveBytes[r.GetInt64(0)] = r.GetInt64(1);
        }
        _segments = new EnvelopeSegments(directory, maxSegmentBytes, _liveBytes.Keys.DefaultIfEmpty(0).Max(), directIo);
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

        var changes = new List<(long Segment, long Bytes)>(); // applied to _liveBytes once committed
        using (var c = _db.Open())
        using (var tx = c.BeginTransaction())
        {
            using var index = new IndexCommands(c, tx);
            foreach (var write in batch)
            {
                switch (write)
                {
                    case Save s when placed.TryGetValue(s, out var at):
                        index.Put(s.Service, s.Node, at, changes);
                        break;
                    case DeleteNodes d:
                        foreach (var node in d.Nodes) index.Delete(d.Service, node, changes);
                        break;
                    case DeleteService d:
                        index.DeleteService(d.Service, changes);
                        break;
                }
            }
            tx.Commit();
        }
        Account(changes);
        return Task.CompletedTask;
    }

    protected override void AfterBatch()
    {
        _closedUnswept += _segments.TakeClosedCount();
        if (_closedUnswept >= SweepAfterClosedSegments || Stopwatch.GetElapsedTime(_lastSweep) >= SweepInterval) Sweep();
    }

    /// <summary>Deletes the closed segments no index row points into; then, while the files hold more than twice
    /// the live bytes, copies forward the live envelopes of the sparsest few and deletes them. Runs on the writer
    /// (or, in tests, while it is idle), so no save races it.</summary>
    internal void Sweep()
    {
        _closedUnswept = 0;
        _lastSweep = Stopwatch.GetTimestamp();
        var closed = _segments.Closed();
        foreach (var (segment, _) in closed.Where(s => _liveBytes.GetValueOrDefault(s.Segment) == 0))
        {
            _segments.Delete(segment);
            _liveBytes.Remove(segment);
        }
        var live = _liveBytes.Values.Sum();
        var disk = closed.Where(s => _liveBytes.ContainsKey(s.Segment)).Sum(s => s.Bytes) + _segments.CurrentBytes;
        if (disk <= DiskToLiveRatio * live + CompactionSlackSegments * _maxSegmentBytes) return;
        var sparsest = closed
            .Where(s => _liveBytes.ContainsKey(s.Segment) && _liveBytes[s.Segment] * DiskToLiveRatio < s.Bytes)
            .OrderBy(s => (double)_liveBytes[s.Segment] / Math.Max(1, s.Bytes))
            .Take(CompactionsPerSweep)
            .Select(s => s.Segment)
            .ToHashSet();
        if (sparsest.Count > 0) CopyForward(sparsest);
    }

    /// <summary>Copies the live envelopes of the given closed segments to the current one — on disk before the index
    /// moves, since their old copies are deleted right after — and deletes the segments.</summary>
    private void CopyForward(IReadOnlySet<long> segments)
    {
        using var c = _db.Open();
        var rows = new List<(string Service, string Node, EnvelopeLocation At)>();
        using (var cmd = SqliteDatabase.Command(c, "SELECT service, node, segment, offset, length FROM envelope_index"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (segments.Contains(r.GetInt64(2)))
                    rows.Add((r.GetString(0), r.GetString(1), new EnvelopeLocation(r.GetInt64(2), r.GetInt64(3), r.GetInt32(4))));
        var moved = new List<(string Service, string Node, EnvelopeLocation At)>(rows.Count);
        var unreadable = new List<(string Service, string Node)>();
        foreach (var row in rows)
            if (_segments.TryRead(row.At) is { } bytes) moved.Add((row.Service, row.Node, _segments.Append(bytes)));
            else unreadable.Add((row.Service, row.Node));
        _segments.Flush(toDisk: true);

        var changes = new List<(long Segment, long Bytes)>();
        using (var tx = c.BeginTransaction())
        {
            using (var index = new IndexCommands(c, tx))
            {
                foreach (var (service, node, at) in moved) index.Put(service, node, at, changes);
                // Rows whose bytes could not be read (a segment cut short by a machine crash) would point into a deleted file.
                foreach (var (service, node) in unreadable) index.Delete(service, node, changes);
            }
            tx.Commit();
        }
        Account(changes);
        foreach (var segment in segments)
        {
            _segments.Delete(segment);
            _liveBytes.Remove(segment);
        }
        _log.LogDebug("envelope segments {Segments}: {Count} live envelopes copied forward", string.Join(", ", segments), moved.Count);
    }

    private void Account(List<(long Segment, long Bytes)> changes)
    {
        foreach (var (segment, bytes) in changes)
        {
            var left = _liveBytes.GetValueOrDefault(segment) + bytes;
            if (left > 0) _liveBytes[segment] = left;
            else _liveBytes.Remove(segment);
        }
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
    private static bool IsEnvelopeOf(byte[] bytes, ServiceKey key, string node) => Envelope.IsEnvelopeOf(bytes, key.Tenant, key.Service, node);

    /// <summary>Envelopes stored by earlier versions in the catalog's <c>envelopes</c> table move into segments
    /// once, at start (on disk before the table goes), so no node loses its pull envelope on upgrade.</summary>
    private void MigrateEnvelopeTable()
    {
        using var c = _db.Open();
        using (var exists = SqliteDatabase.Command(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'envelopes'"))
            if (exists.ExecuteScalar() is null) return;
        var changes = new List<(long Segment, long Bytes)>();
        using (var tx = c.BeginTransaction())
        {
            using (var index = new IndexCommands(c, tx))
            using (var cmd = SqliteDatabase.Command(c, tx, "SELECT service, node, envelope FROM envelopes"))
            {
                using var r = cmd.ExecuteReader();
                while (r.Read()) index.Put(r.GetString(0), r.GetString(1), _segments.Append((byte[])r.GetValue(2)), changes);
            }
            _segments.Flush(toDisk: true);
            SqliteDatabase.Execute(c, tx, "DROP TABLE envelopes");
            tx.Commit();
        }
        Account(changes);
        try { SqliteDatabase.Execute(c, "VACUUM"); } // give the table's pages back to the file system
        catch (SqliteException ex) { _log.LogWarning(ex, "could not compact catalog.db after moving the envelopes out; its free pages stay reusable"); }
        _log.LogInformation("moved {Count} stored envelopes from the catalog into envelope segments", changes.Count(ch => ch.Bytes > 0));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _segments.Dispose();
    }

    /// <summary>The index statements of one transaction, prepared once; each change records the live bytes it
    /// moves (+ for the new location, − for the one it replaces or deletes).</summary>
    private sealed class IndexCommands : IDisposable
    {
        private readonly SqliteCommand _find, _upsert, _delete, _deleteService;

        public IndexCommands(SqliteConnection c, SqliteTransaction tx)
        {
            _find = Prepare(c, tx, "SELECT segment, length FROM envelope_index WHERE service = $s AND node = $n", ("$s", ""), ("$n", ""));
            _upsert = Prepare(c, tx,
                "INSERT INTO envelope_index(service, node, segment, offset, length) VALUES ($s, $n, $g, $o, $l) " +
                "ON CONFLICT(service, node) DO UPDATE SET segment = excluded.segment, offset = excluded.offset, length = excluded.length",
                ("$s", ""), ("$n", ""), ("$g", 0L), ("$o", 0L), ("$l", 0));
            _delete = Prepare(c, tx, "DELETE FROM envelope_index WHERE service = $s AND node = $n RETURNING segment, length", ("$s", ""), ("$n", ""));
            _deleteService = Prepare(c, tx, "DELETE FROM envelope_index WHERE service = $s RETURNING segment, length", ("$s", ""));
        }

        public void Put(string service, string node, EnvelopeLocation at, List<(long, long)> changes)
        {
            Set(_find, ("$s", service), ("$n", node));
            ReadRemoved(_find, changes);
            Set(_upsert, ("$s", service), ("$n", node), ("$g", at.Segment), ("$o", at.Offset), ("$l", at.Length));
            _upsert.ExecuteNonQuery();
            changes.Add((at.Segment, at.Length));
        }

        public void Delete(string service, string node, List<(long, long)> changes)
        {
            Set(_delete, ("$s", service), ("$n", node));
            ReadRemoved(_delete, changes);
        }

        public void DeleteService(string service, List<(long, long)> changes)
        {
            Set(_deleteService, ("$s", service));
            ReadRemoved(_deleteService, changes);
        }

        private static void ReadRemoved(SqliteCommand cmd, List<(long, long)> changes)
        {
            using var r = cmd.ExecuteReader();
            while (r.Read()) changes.Add((r.GetInt64(0), -r.GetInt64(1)));
        }

        private static void Set(SqliteCommand cmd, params (string Name, object Value)[] values)
        {
            foreach (var (name, value) in values) cmd.Parameters[name].Value = value;
        }

        private static SqliteCommand Prepare(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object?)[] args)
        {
            var cmd = SqliteDatabase.Command(c, tx, sql, args);
            cmd.Prepare();
            return cmd;
        }

        public void Dispose()
        {
            _find.Dispose();
            _upsert.Dispose();
            _delete.Dispose();
            _deleteService.Dispose();
        }
    }
}
