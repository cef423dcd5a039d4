using MetadataDelivery.Host;
using MetadataDelivery.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace MetadataDelivery.IntegrationTests;

/// <summary>How a member reads its configuration (built, not started).</summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Configuration_files_are_not_watched_because_the_data_directory_may_lie_under_the_content_root()
    {
        using var dir = new TestDirectory();
        await using var app = MdsHost.Build([$"--Mds:DataDir={dir.Sub("host")}", "--Mds:AdminKey=test-admin"]);
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched"));
    }

    [Fact]
    public async Task An_operator_can_still_turn_configuration_reload_on()
    {
        using var dir = new TestDirectory();
        await using var app = MdsHost.Build([$"--Mds:DataDir={dir.Sub("host")}", "--Mds:AdminKey=test-admin", "--hostBuilder:reloadConfigOnChange=true"]);
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Contains(files, f => f.Source.Path == "appsettings.json" && f.Source.ReloadOnChange);
    }

    [Fact]
    public async Task The_embedded_journal_is_in_wal_mode_so_recovery_reads_do_not_wait_for_journal_writes()
    {
        using var dir = new TestDirectory();
        var dataDir = dir.Sub("host");
        await using (var host = await InProcessHost.StartAsync(dataDir)) { }
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "mds.db")};Pooling=False");
        connection.Open();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await pragma.ExecuteScalarAsync());
    }
}
