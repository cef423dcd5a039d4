using System.Threading.Channels;
using MetadataDelivery.Domain.Ids;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Envelopes by (service, node). Writes from thousands of delivery actors are funnelled through one
/// writer that commits them in batches: one SQLite transaction per batch instead of per envelope.</summary>
public sealed class SqliteEnvelopeStore : IEnvelopeStore, IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly SqliteDatabase _db;
    private readonly ILogger<SqliteEnvelopeStore> _log;
    private readonly Channel<(string Service, string Node, byte[] Envelope, TaskCompletionSource Done)> _writes =
        Channel.CreateBounded<(string, string, byte[], TaskCompletionSource)>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;

    public SqliteEnvelopeStore(SqliteDatabase db, ILogger<SqliteEnvelopeStore> log)
    {
        _db = db;
        _log = log;
        using (var c = _db.Open())
            SqliteDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS envelopes (service TEXT NOT NULL, node TEXT NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
        _writer = Task.Run(WriteLoopAsync);
    }

    public async Task SaveAsync(ServiceKey key, string node, byte[] envelope, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writes.Writer.WriteAsync((key.EntityId, node, envelope, done), ct);
        await done.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(string Service, string Node, byte[] Envelope, TaskCompletionSource Done)>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                using var c = _db.Open();
                using var tx = c.BeginTransaction();
                using var cmd = SqliteDatabase.Command(c,
                    "INSERT INTO envelopes(service, node, envelope) VALUES ($s, $n, $e) ON CONFLICT(service, node) DO UPDATE SET envelope = excluded.envelope");
                cmd.Transaction = tx;
                var ps = cmd.Parameters;
                var s = ps.Add("$s", Microsoft.Data.Sqlite.SqliteType.Text);
                var n = ps.Add("$n", Microsoft.Data.Sqlite.SqliteType.Text);
                var e = ps.Add("$e", Microsoft.Data.Sqlite.SqliteType.Blob);
                foreach (var item in batch)
                {
                    s.Value = item.Service; n.Value = item.Node; e.Value = item.Envelope;
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
                foreach (var item in batch) item.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "writing {Count} envelopes failed", batch.Count);
                foreach (var item in batch) item.Done.TrySetException(ex);
            }
        }
    }

    public Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default)
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT envelope FROM envelopes WHERE service = $s AND node = $n", ("$s", key.EntityId), ("$n", node));
        return Task.FromResult(cmd.ExecuteScalar() as byte[]);
    }

    public Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes)
    {
        if (nodes.Count == 0) return Task.CompletedTask;
        using var c = _db.Open();
        using var tx = c.BeginTransaction();
        using var cmd = SqliteDatabase.Command(c, "DELETE FROM envelopes WHERE service = $s AND node = $n");
        cmd.Transaction = tx;
        var s = cmd.Parameters.AddWithValue("$s", key.EntityId);
        var n = cmd.Parameters.Add("$n", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var node in nodes) { n.Value = node; cmd.ExecuteNonQuery(); }
        tx.Commit();
        return Task.CompletedTask;
    }

    public Task DeleteServiceAsync(ServiceKey key)
    {
        using var c = _db.Open();
        SqliteDatabase.Execute(c, "DELETE FROM envelopes WHERE service = $s", ("$s", key.EntityId));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer;
    }
}
