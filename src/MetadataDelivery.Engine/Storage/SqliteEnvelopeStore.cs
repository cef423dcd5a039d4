using System.Threading.Channels;
using MetadataDelivery.Domain.Ids;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Envelopes by (service, node). Every write goes through one writer that commits in batches (one
/// SQLite transaction per batch, not per envelope). Deletes travel the same queue, so a save queued before a
/// delete can never land after it; a save whose attempt was abandoned is skipped.</summary>
public sealed class SqliteEnvelopeStore : IEnvelopeStore, IAsyncDisposable
{
    private const int MaxBatch = 256;

    private abstract record Write(TaskCompletionSource Done);
    private sealed record Save(string Service, string Node, byte[] Envelope, CancellationToken Abandoned, TaskCompletionSource Done) : Write(Done);
    private sealed record DeleteNodes(string Service, IReadOnlyCollection<string> Nodes, TaskCompletionSource Done) : Write(Done);
    private sealed record DeleteService(string Service, TaskCompletionSource Done) : Write(Done);

    private readonly SqliteDatabase _db;
    private readonly ILogger<SqliteEnvelopeStore> _log;
    private readonly Channel<Write> _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;

    public SqliteEnvelopeStore(SqliteDatabase db, ILogger<SqliteEnvelopeStore> log)
    {
        _db = db;
        _log = log;
        using (var c = _db.Open())
            SqliteDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS envelopes (service TEXT NOT NULL, node TEXT NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task SaveAsync(ServiceKey key, string node, byte[] envelope, CancellationToken ct = default) =>
        EnqueueAsync(new Save(key.EntityId, node, envelope, ct, NewDone()), ct);

    public Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes) =>
        nodes.Count == 0 ? Task.CompletedTask : EnqueueAsync(new DeleteNodes(key.EntityId, nodes, NewDone()), CancellationToken.None);

    public Task DeleteServiceAsync(ServiceKey key) => EnqueueAsync(new DeleteService(key.EntityId, NewDone()), CancellationToken.None);

    public Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default) => Task.Run(() =>
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT envelope FROM envelopes WHERE service = $s AND node = $n", ("$s", key.EntityId), ("$n", node));
        return cmd.ExecuteScalar() as byte[];
    }, ct);

    private static TaskCompletionSource NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task EnqueueAsync(Write write, CancellationToken ct)
    {
        await _writes.Writer.WriteAsync(write, ct);
        await write.Done.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                using var c = _db.Open();
                using var tx = c.BeginTransaction();
                foreach (var write in batch) Apply(c, tx, write);
                tx.Commit();
                foreach (var write in batch) write.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "writing {Count} envelope changes failed", batch.Count);
                foreach (var write in batch) write.Done.TrySetException(ex);
            }
        }
    }

    private static void Apply(SqliteConnection c, SqliteTransaction tx, Write write)
    {
        switch (write)
        {
            case Save { Abandoned.IsCancellationRequested: true }:
                return;
            case Save s:
                Exec(c, tx, "INSERT INTO envelopes(service, node, envelope) VALUES ($s, $n, $e) ON CONFLICT(service, node) DO UPDATE SET envelope = excluded.envelope",
                    ("$s", s.Service), ("$n", s.Node), ("$e", s.Envelope));
                return;
            case DeleteNodes d:
                foreach (var node in d.Nodes) Exec(c, tx, "DELETE FROM envelopes WHERE service = $s AND node = $n", ("$s", d.Service), ("$n", node));
                return;
            case DeleteService d:
                Exec(c, tx, "DELETE FROM envelopes WHERE service = $s", ("$s", d.Service));
                return;
        }
    }

    private static void Exec(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object?)[] args)
    {
        using var cmd = SqliteDatabase.Command(c, sql, args);
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer;
    }
}
