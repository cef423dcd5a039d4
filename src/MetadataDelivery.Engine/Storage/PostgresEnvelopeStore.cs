using MetadataDelivery.Domain.Ids;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Envelopes by (service, node) on PostgreSQL, shared by the cluster's members.</summary>
public sealed class PostgresEnvelopeStore : BatchedEnvelopeStore
{
    private readonly NpgsqlDataSource _db;

    public PostgresEnvelopeStore(NpgsqlDataSource db, ILogger<PostgresEnvelopeStore> log) : base(log)
    {
        _db = db;
        PostgresSchema.Ensure(db, "CREATE TABLE IF NOT EXISTS mds_envelopes (service TEXT NOT NULL, node TEXT NOT NULL, envelope BYTEA NOT NULL, PRIMARY KEY (service, node));");
        StartWriter();
    }

    public override async Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT envelope FROM mds_envelopes WHERE service = @s AND node = @n");
        cmd.Parameters.AddWithValue("s", key.EntityId);
        cmd.Parameters.AddWithValue("n", node);
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    protected override async Task ApplyAsync(IReadOnlyList<Write> batch)
    {
        await using var c = await _db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        foreach (var write in batch)
        {
            switch (write)
            {
                case Save { Abandoned.IsCancellationRequested: true }:
                    break;
                case Save s:
                    await Exec(c, tx, "INSERT INTO mds_envelopes(service, node, envelope) VALUES (@s, @n, @e) ON CONFLICT (service, node) DO UPDATE SET envelope = excluded.envelope",
                        ("s", s.Service), ("n", s.Node), ("e", s.Envelope.ToArray()));
                    break;
                case DeleteNodes d:
                    await Exec(c, tx, "DELETE FROM mds_envelopes WHERE service = @s AND node = ANY(@n)", ("s", d.Service), ("n", d.Nodes.ToArray()));
                    break;
                case DeleteService d:
                    await Exec(c, tx, "DELETE FROM mds_envelopes WHERE service = @s", ("s", d.Service));
                    break;
            }
        }
        await tx.CommitAsync();
    }

    private static async Task Exec(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string, object)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync();
    }
}
