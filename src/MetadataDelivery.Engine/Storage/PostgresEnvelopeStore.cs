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

    /// <summary>The batch's statements go to the server in one round trip (an <see cref="NpgsqlBatch"/>, run in order),
    /// instead of one per envelope; an envelope is sent from the pooled buffer it was written to, without a copy.</summary>
    protected override async Task ApplyAsync(IReadOnlyList<Write> batch)
    {
        await using var c = await _db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        await using var statements = new NpgsqlBatch(c, tx);
        foreach (var write in batch)
        {
            switch (write)
            {
                case Save { Abandoned.IsCancellationRequested: true }:
                    break;
                case Save s:
                    statements.BatchCommands.Add(Statement(
                        "INSERT INTO mds_envelopes(service, node, envelope) VALUES ($1, $2, $3) ON CONFLICT (service, node) DO UPDATE SET envelope = excluded.envelope",
                        new NpgsqlParameter<string> { TypedValue = s.Service }, new NpgsqlParameter<string> { TypedValue = s.Node },
                        new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = s.Envelope }));
                    break;
                case DeleteNodes d:
                    statements.BatchCommands.Add(Statement("DELETE FROM mds_envelopes WHERE service = $1 AND node = ANY($2)",
                        new NpgsqlParameter<string> { TypedValue = d.Service }, new NpgsqlParameter<string[]> { TypedValue = d.Nodes.ToArray() }));
                    break;
                case DeleteService d:
                    statements.BatchCommands.Add(Statement("DELETE FROM mds_envelopes WHERE service = $1", new NpgsqlParameter<string> { TypedValue = d.Service }));
                    break;
            }
        }
        if (statements.BatchCommands.Count > 0) await statements.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] positional)
    {
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddRange(positional);
        return statement;
    }
}
