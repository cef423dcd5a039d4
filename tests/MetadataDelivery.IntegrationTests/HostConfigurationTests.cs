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

    [Theory]
    [InlineData("-1.00:00:00")]
    [InlineData("60.00:00:00")]
    public async Task An_attempt_timeout_out_of_range_stops_the_member_at_start_with_a_clear_error(string timeout)
    {
        using var dir = new TestDirectory();
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = MdsHost.Build([$"--Mds:DataDir={dir.Sub("host")}", "--Mds:AdminKey=test-admin", "--urls=http://127.0.0.1:0",
                $"--Mds:Delivery:AttemptTimeout={timeout}"]);
            await app.StartAsync();
        });
        Assert.Contains("Mds:Delivery:AttemptTimeout must be between", error.Message);
    }
}
