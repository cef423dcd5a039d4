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
}
