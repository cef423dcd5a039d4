using MetadataDelivery.Domain.Ids;
using Microsoft.Data.Sqlite;

namespace MetadataDelivery.Engine.Storage;

public sealed class SqliteCatalogStore : ICatalogStore
{
    private readonly SqliteDatabase _db;

    public SqliteCatalogStore(SqliteDatabase db)
    {
        _db = db;
        using var c = _db.Open();
        SqliteDatabase.Execute(c, """
            CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tenant_keys (key_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS tenant_keys_tenant ON tenant_keys(tenant);
            CREATE TABLE IF NOT EXISTS services (tenant TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant, name));
            """);
    }

    public Task<bool> CreateTenantAsync(string name, string keyHash, DateTimeOffset at)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction();
        try
        {
            SqliteDatabase.Execute(c, tx, "INSERT INTO tenants(name, created_at) VALUES ($n, $t)", ("$n", name), ("$t", at.ToString("O")));
            SqliteDatabase.Execute(c, tx, "INSERT INTO tenant_keys(key_hash, tenant, created_at) VALUES ($h, $n, $t)", ("$h", keyHash), ("$n", name), ("$t", at.ToString("O")));
            tx.Commit();
            return Task.FromResult(true);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the tenant exists
        {
            tx.Rollback();
            return Task.FromResult(false);
        }
    }

    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync()
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT name, created_at FROM tenants ORDER BY name");
        using var r = cmd.ExecuteReader();
        var list = new List<TenantRecord>();
        while (r.Read()) list.Add(new TenantRecord(r.GetString(0), DateTimeOffset.Parse(r.GetString(1), System.Globalization.CultureInfo.InvariantCulture)));
        return Task.FromResult<IReadOnlyList<TenantRecord>>(list);
    }

    public Task<bool> TenantExistsAsync(string name) => Task.FromResult(Scalar("SELECT 1 FROM tenants WHERE name = $n", ("$n", name)) is not null);

    public Task<bool> DeleteTenantAsync(string name)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction();
        var n = SqliteDatabase.Execute(c, tx, "DELETE FROM tenants WHERE name = $n", ("$n", name));
        SqliteDatabase.Execute(c, tx, "DELETE FROM tenant_keys WHERE tenant = $n", ("$n", name));
        SqliteDatabase.Execute(c, tx, "DELETE FROM services WHERE tenant = $n", ("$n", name));
        tx.Commit();
        return Task.FromResult(n > 0);
    }

    public Task<bool> AddTenantKeyAsync(string name, string keyHash, DateTimeOffset at)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction();
        var exists = SqliteDatabase.Execute(c, tx, "UPDATE tenants SET name = name WHERE name = $n", ("$n", name)) > 0;
        if (exists) SqliteDatabase.Execute(c, tx, "INSERT INTO tenant_keys(key_hash, tenant, created_at) VALUES ($h, $n, $t)", ("$h", keyHash), ("$n", name), ("$t", at.ToString("O")));
        tx.Commit();
        return Task.FromResult(exists);
    }

    public Task<string?> FindTenantByKeyHashAsync(string keyHash) =>
        Task.FromResult(Scalar("SELECT k.tenant FROM tenant_keys k JOIN tenants t ON t.name = k.tenant WHERE k.key_hash = $h", ("$h", keyHash)) as string);

    public Task UpsertServiceAsync(ServiceKey key, DateTimeOffset at)
    {
        using var c = _db.Open();
        SqliteDatabase.Execute(c, "INSERT INTO services(tenant, name, created_at) VALUES ($t, $n, $c) ON CONFLICT(tenant, name) DO NOTHING",
            ("$t", key.Tenant), ("$n", key.Service), ("$c", at.ToString("O")));
        return Task.CompletedTask;
    }

    public Task DeleteServiceAsync(ServiceKey key)
    {
        using var c = _db.Open();
        SqliteDatabase.Execute(c, "DELETE FROM services WHERE tenant = $t AND name = $n", ("$t", key.Tenant), ("$n", key.Service));
        return Task.CompletedTask;
    }

    public Task<bool> ServiceExistsAsync(ServiceKey key) =>
        Task.FromResult(Scalar("SELECT 1 FROM services WHERE tenant = $t AND name = $n", ("$t", key.Tenant), ("$n", key.Service)) is not null);

    public Task<(IReadOnlyList<string> Names, string? NextCursor)> ListServicesAsync(string tenant, int limit, string? after)
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT name FROM services WHERE tenant = $t AND name > $a ORDER BY name LIMIT $l",
            ("$t", tenant), ("$a", after ?? ""), ("$l", limit + 1));
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        string? next = null;
        if (names.Count > limit) { names.RemoveAt(limit); next = names[^1]; }
        return Task.FromResult<(IReadOnlyList<string>, string?)>((names, next));
    }

    public Task<IReadOnlyList<string>> AllServicesOfTenantAsync(string tenant)
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, "SELECT name FROM services WHERE tenant = $t ORDER BY name", ("$t", tenant));
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return Task.FromResult<IReadOnlyList<string>>(names);
    }

    private object? Scalar(string sql, params (string, object?)[] args)
    {
        using var c = _db.Open();
        using var cmd = SqliteDatabase.Command(c, sql, args);
        return cmd.ExecuteScalar();
    }
}
