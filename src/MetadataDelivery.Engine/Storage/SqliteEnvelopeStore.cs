using MetadataDelivery.Domain.Ids;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Envelopes by (service, node) in the embedded SQLite catalog.</summary>
public sealed class SqliteEnvelopeStore : BatchedEnvelopeStore
{
    private readonly SqliteDatabase _db;

    public SqliteEnvelopeStore(SqliteDatabase db, ILogger<SqliteEnvelopeStore> log) : base(log)
    {
        _db = db;
        using (var c = _db.Open())
            SqliteDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS envelopes (service TEXT NOT NULL, node TEXT NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
        StartWriter();
    }

    public override Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default) => Task.Run(() =>
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT envelope FROM envelopes WHERE service = $s AND node = $n", ("$s", key.EntityId), ("$n", node));
        return cmd.ExecuteScalar() as byte[];
    }, ct);

    protected override Task ApplyAsync(IReadOnlyList<Write> batch)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction();
        foreach (var write in batch)
        {
            switch (write)
            {
                case Save { Abandoned.IsCancellationRequested: true }:
                    break;
                case Save s:
                    // The caller's bytes are a pooled buffer; the binder wants an exact-length array: this copy dies at once.
                    Exec(c, tx, "INSERT INTO envelopes(service, node, envelope) VALUES ($s, $n, $e) ON CONFLICT(service, node) DO UPDATE SET envelope = excluded.envelope",
                        ("$s", s.Service), ("$n", s.Node), ("$e", s.Envelope.ToArray()));
                    break;
                case DeleteNodes d:
                    foreach (var node in d.Nodes) Exec(c, tx, "DELETE FROM envelopes WHERE service = $s AND node = $n", ("$s", d.Service), ("$n", node));
                    break;
                case DeleteService d:
                    Exec(c, tx, "DELETE FROM envelopes WHERE service = $s", ("$s", d.Service));
                    break;
            }
        }
        tx.Commit();
        return Task.CompletedTask;
    }

    private static void Exec(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object?)[] args)
    {
        using var cmd = SqliteDatabase.Command(c, sql, args);
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
