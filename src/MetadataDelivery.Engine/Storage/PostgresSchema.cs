using Npgsql;

namespace MetadataDelivery.Engine.Storage;

public static class PostgresSchema
{
    private const long SchemaLockKey = 0x6D64735F736368; // "mds_sch"

    /// <summary>Runs DDL under a transaction-scoped advisory lock, so members starting at once create it once.</summary>
    public static void Ensure(NpgsqlDataSource db, string ddl)
    {
        using var c = db.OpenConnection();
        using var tx = c.BeginTransaction();
        using (var l = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", c, tx)) l.ExecuteNonQuery();
        using (var cmd = new NpgsqlCommand(ddl, c, tx)) cmd.ExecuteNonQuery();
        tx.Commit();
    }
}
