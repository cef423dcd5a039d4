using MetadataDelivery.Engine.Storage;
using Npgsql;

namespace MetadataDelivery.Engine.Sources;

/// <summary>The built-in CA's root certificate and key (PEM). Every member of a cluster must get the same
/// pair, and the first member to need one creates it.</summary>
public interface ICaKeyStore
{
    (string CertPem, string KeyPem) GetOrCreate(Func<(string CertPem, string KeyPem)> create);
}

/// <summary>Embedded: <c>&lt;DataDir&gt;/ca/ca.crt</c> and <c>ca.key</c> (mode 0600), written atomically.</summary>
public sealed class FileCaKeyStore(string dataDir) : ICaKeyStore
{
    public (string CertPem, string KeyPem) GetOrCreate(Func<(string CertPem, string KeyPem)> create)
    {
        var dir = Path.Combine(dataDir, "ca");
        var certPath = Path.Combine(dir, "ca.crt");
        var keyPath = Path.Combine(dir, "ca.key");
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            Directory.CreateDirectory(dir);
            var (cert, key) = create();
            WriteAtomically(keyPath, key, secret: true);
            WriteAtomically(certPath, cert, secret: false);
        }
        return (File.ReadAllText(certPath), File.ReadAllText(keyPath));
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, content);
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>Cluster: one row in PostgreSQL, so every member issues under the same root. Concurrent first
/// uses race on the insert; everyone reads back the row that won. (The key is as sensitive as the delivery
/// secrets the database already holds: protect the database accordingly.)</summary>
public sealed class PostgresCaKeyStore : ICaKeyStore
{
    private readonly NpgsqlDataSource _db;

    public PostgresCaKeyStore(NpgsqlDataSource db)
    {
        _db = db;
        PostgresSchema.Ensure(db, "CREATE TABLE IF NOT EXISTS mds_ca (id INT PRIMARY KEY, cert TEXT NOT NULL, key TEXT NOT NULL);");
    }

    public (string CertPem, string KeyPem) GetOrCreate(Func<(string CertPem, string KeyPem)> create)
    {
        if (Read() is { } existing) return existing;
        var (cert, key) = create();
        using (var insert = _db.CreateCommand("INSERT INTO mds_ca(id, cert, key) VALUES (1, @c, @k) ON CONFLICT (id) DO NOTHING"))
        {
            insert.Parameters.AddWithValue("c", cert);
            insert.Parameters.AddWithValue("k", key);
            insert.ExecuteNonQuery();
        }
        return Read() ?? throw new InvalidOperationException("the CA row vanished after it was written");
    }

    private (string, string)? Read()
    {
        using var cmd = _db.CreateCommand("SELECT cert, key FROM mds_ca WHERE id = 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetString(1)) : null;
    }
}
