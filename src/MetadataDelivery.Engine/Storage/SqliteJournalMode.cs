using Microsoft.Data.Sqlite;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Puts the embedded journal's SQLite file in write-ahead-log mode before Akka opens it. The journal's
/// connections come from Akka.Persistence.Sql, whose connection string cannot carry a journal mode, but WAL mode
/// is stored in the file itself. In SQLite's default rollback mode every journal commit created, fsynced twice and
/// deleted a <c>-journal</c> file; with WAL (and SQLite's default <c>synchronous=FULL</c>, so commits stay durable)
/// a commit is one append and one fsync of the log.</summary>
public static class SqliteJournalMode
{
    public static void UseWriteAheadLog(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (IsInMemory(builder)) return; // no file to keep the mode in
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL;";
        var mode = pragma.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"the journal database {builder.DataSource} refused write-ahead-log mode (it reports '{mode}')");
    }

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory
        || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal)
        || string.IsNullOrEmpty(builder.DataSource);
}
