using MetadataDelivery.Domain.Ids;
using Npgsql;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The catalog on PostgreSQL, shared by every member of a cluster. The schema is created on first
/// start under an advisory lock, so members starting together do not race.</summary>
public sealed class PostgresCatalogStore : ICatalogStore
{
    private readonly NpgsqlDataSource _db;

    public PostgresCatalogStore(NpgsqlDataSource db)
    {
        _db = db;
        PostgresSchema.Ensure(db, """
            CREATE TABLE IF NOT EXISTS mds_tenants (name TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL);
            CREATE TABLE IF NOT EXISTS mds_tenant_keys (key_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
            CREATE INDEX IF NOT EXISTS mds_tenant_keys_tenant ON mds_tenant_keys(tenant);
            CREATE TABLE IF NOT EXISTS mds_services (tenant TEXT NOT NULL, name TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (tenant, name));
            """);
    }

    public async Task<bool> CreateTenantAsync(string name, string keyHash, DateTimeOffset at)
    {
        await using var c = await _db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        var inserted = await Exec(c, "INSERT INTO mds_tenants(name, created_at) VALUES (@n, @t) ON CONFLICT DO NOTHING", ("n", name), ("t", at));
        if (inserted == 0) { await tx.RollbackAsync(); return false; }
        await Exec(c, "INSERT INTO mds_tenant_keys(key_hash, tenant, created_at) VALUES (@h, @n, @t)", ("h", keyHash), ("n", name), ("t", at));
        await tx.CommitAsync();
        return true;
    }

    public async Task<IReadOnlyList<TenantRecord>> ListTenantsAsync()
    {
        await using var cmd = _db.CreateCommand("SELECT name, created_at FROM mds_tenants ORDER BY name");
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<TenantRecord>();
        while (await r.ReadAsync()) list.Add(new TenantRecord(r.GetString(0), r.GetFieldValue<DateTimeOffset>(1)));
        return list;
    }

    public async Task<bool> TenantExistsAsync(string name) => await Scalar("SELECT 1 FROM mds_tenants WHERE name = @n", ("n", name)) is not null;

    public async Task<bool> DeleteTenantAsync(string name)
    {
        await using var c = await _db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        var n = await Exec(c, "DELETE FROM mds_tenants WHERE name = @n", ("n", name));
        await Exec(c, "DELETE FROM mds_tenant_keys WHERE tenant = @n", ("n", name));
        await Exec(c, "DELETE FROM mds_services WHERE tenant = @n", ("n", name));
        await tx.CommitAsync();
        return n > 0;
    }

    public async Task<bool> AddTenantKeyAsync(string name, string keyHash, DateTimeOffset at)
    {
        await using var c = await _db.OpenConnectionAsync();
        return await Exec(c, "INSERT INTO mds_tenant_keys(key_hash, tenant, created_at) SELECT @h, name, @t FROM mds_tenants WHERE name = @n",
            ("h", keyHash), ("n", name), ("t", at)) > 0;
    }

    public async Task<string?> FindTenantByKeyHashAsync(string keyHash) =>
        await Scalar("SELECT k.tenant FROM mds_tenant_keys k JOIN mds_tenants t ON t.name = k.tenant WHERE k.key_hash = @h", ("h", keyHash)) as string;

    public async Task UpsertServiceAsync(ServiceKey key, DateTimeOffset at)
    {
        await using var c = await _db.OpenConnectionAsync();
        await Exec(c, "INSERT INTO mds_services(tenant, name, created_at) VALUES (@t, @n, @c) ON CONFLICT (tenant, name) DO NOTHING",
            ("t", key.Tenant), ("n", key.Service), ("c", at));
    }

    public async Task DeleteServiceAsync(ServiceKey key)
    {
        await using var c = await _db.OpenConnectionAsync();
        await Exec(c, "DELETE FROM mds_services WHERE tenant = @t AND name = @n", ("t", key.Tenant), ("n", key.Service));
    }

    public async Task<bool> ServiceExistsAsync(ServiceKey key) =>
        await Scalar("SELECT 1 FROM mds_services WHERE tenant = @t AND name = @n", ("t", key.Tenant), ("n", key.Service)) is not null;

    public async Task<(IReadOnlyList<string> Names, string? NextCursor)> ListServicesAsync(string tenant, int limit, string? after)
    {
        await using var cmd = _db.CreateCommand("SELECT name FROM mds_services WHERE tenant = @t AND name > @a ORDER BY name COLLATE \"C\" LIMIT @l");
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("a", after ?? "");
        cmd.Parameters.AddWithValue("l", limit + 1);
        var names = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) names.Add(r.GetString(0));
        string? next = null;
        if (names.Count > limit) { names.RemoveAt(limit); next = names[^1]; }
        return (names, next);
    }

    public async Task<IReadOnlyList<string>> AllServicesOfTenantAsync(string tenant)
    {
        await using var cmd = _db.CreateCommand("SELECT name FROM mds_services WHERE tenant = @t ORDER BY name COLLATE \"C\"");
        cmd.Parameters.AddWithValue("t", tenant);
        var names = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) names.Add(r.GetString(0));
        return names;
    }

    private async Task<object?> Scalar(string sql, params (string, object)[] args)
    {
        await using var cmd = _db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<int> Exec(NpgsqlConnection c, string sql, params (string, object)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return await cmd.ExecuteNonQueryAsync();
    }
}
