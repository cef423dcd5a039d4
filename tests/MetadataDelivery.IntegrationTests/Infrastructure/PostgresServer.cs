using System.Diagnostics;
using Npgsql;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A throwaway PostgreSQL cluster (initdb + pg_ctl from PATH or /usr/lib/postgresql/*/bin) on a loopback
/// port, with one database. As root, the server runs as the 'postgres' user. Missing binaries fail the test.</summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dataDir;
    private readonly string _bin;
    public int Port { get; }
    public string Database { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={Database};Pooling=true;Maximum Pool Size=20";

    /// <summary>The host arguments that put a member on this server (file node maps stay allowed for tests).</summary>
    public string[] HostArgs =>
        ["--Mds:Persistence:Provider=postgres", $"--Mds:Persistence:ConnectionString={ConnectionString}", "--Mds:NodeMaps:AllowFileUris=true"];

    private PostgresServer(string dataDir, string bin, int port, string database) => (_dataDir, _bin, Port, Database) = (dataDir, bin, port, database);

    public static async Task<PostgresServer> StartAsync(string dir, string database = "mds")
    {
        var bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql (.ci/run does)");
        var server = new PostgresServer(Path.Combine(dir, "pgdata"), bin, Ports.Free(), database);
        Directory.CreateDirectory(dir);
        if (IsRoot) Run("chown", "-R", "postgres:postgres", dir);
        server.RunAsPostgres(Path.Combine(bin, "initdb"), "-D", server._dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        server.RunAsPostgres(Path.Combine(bin, "pg_ctl"), "-D", server._dataDir, "-w", "-t", "60", "-l", Path.Combine(dir, "postgres.log"),
            "-o", $"-p {server.Port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        await using (var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port};Username=postgres;Database=postgres;Pooling=false"))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return server;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBin()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(
                     Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : []))
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        return null;
    }

    private void RunAsPostgres(string exe, params string[] args)
    {
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{exe} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result} {stderr.Result}");
    }

    public ValueTask DisposeAsync()
    {
        try { RunAsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", _dataDir, "-m", "immediate", "-w", "stop"); }
        catch (Exception) { /* already gone */ }
        return ValueTask.CompletedTask;
    }
}
