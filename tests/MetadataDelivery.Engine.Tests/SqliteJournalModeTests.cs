using MetadataDelivery.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace MetadataDelivery.Engine.Tests;

public sealed class SqliteJournalModeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mds-journal-mode-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static string ModeOf(string connectionString)
    {
        using var c = new SqliteConnection(connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        return (string)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void A_journal_file_is_left_in_write_ahead_log_mode_for_the_connections_opened_after()
    {
        var connectionString = $"Data Source={Path.Combine(_dir, "mds.db")}";
        Assert.Equal("delete", ModeOf(connectionString)); // SQLite's default for a new file

        SqliteJournalMode.UseWriteAheadLog(connectionString);

        Assert.Equal("wal", ModeOf(connectionString));
        SqliteConnection.ClearAllPools();
        Assert.Equal("wal", ModeOf(connectionString)); // kept in the file, not in a pooled connection
    }

    [Fact]
    public void Setting_it_again_on_a_file_already_in_wal_mode_is_harmless()
    {
        var connectionString = $"Data Source={Path.Combine(_dir, "mds.db")}";
        SqliteJournalMode.UseWriteAheadLog(connectionString);
        SqliteJournalMode.UseWriteAheadLog(connectionString);
        Assert.Equal("wal", ModeOf(connectionString));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=journal;Mode=Memory;Cache=Shared")]
    public void An_in_memory_journal_has_no_file_and_is_left_as_it_is(string connectionString)
    {
        // SQLite keeps an in-memory database in "memory" mode whatever is asked, which the check would report as refused.
        Assert.Null(Record.Exception(() => SqliteJournalMode.UseWriteAheadLog(connectionString)));
    }
}
