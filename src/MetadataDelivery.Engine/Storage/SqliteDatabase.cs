using Microsoft.Data.Sqlite;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Opens connections to one SQLite file in WAL mode with a busy timeout, so several writers
/// (API requests, the envelope writer) wait for each other instead of failing.</summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        Execute(c, "PRAGMA journal_mode=WAL;");
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL;");
        return connection;
    }

    public static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(connection, sql, args);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Runs a statement inside <paramref name="transaction"/>; returns the rows it changed.</summary>
    public static int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(connection, transaction, sql, args);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>A command inside <paramref name="transaction"/>.</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = Command(connection, sql, args);
        cmd.Transaction = transaction;
        return cmd;
    }

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }
}
