using MetadataDelivery.Host;
using MetadataDelivery.IntegrationTests.Infrastructure;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Host.Demo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
    public async Task The_demo_defaults_to_a_data_directory_of_its_own()
    {
        await using var demo = MdsHost.Build(["--demo", "--Mds:AdminKey=test-admin"]);
        Assert.Equal(Path.GetFullPath("./demo-data"), demo.Services.GetRequiredService<IOptions<MdsOptions>>().Value.FullDataDir);
        await using var member = MdsHost.Build(["--Mds:AdminKey=test-admin"]);
        Assert.Equal(Path.GetFullPath("./data"), member.Services.GetRequiredService<IOptions<MdsOptions>>().Value.FullDataDir);
        using var dir = new TestDirectory();
        await using var chosen = MdsHost.Build(["--demo", $"--Mds:DataDir={dir.Sub("mine")}", "--Mds:AdminKey=test-admin"]);
        Assert.Equal(dir.Sub("mine"), chosen.Services.GetRequiredService<IOptions<MdsOptions>>().Value.FullDataDir);
    }

    [Fact]
    public void A_member_without_the_demo_refuses_a_data_directory_the_demo_used()
    {
        using var dir = new TestDirectory();
        var dataDir = dir.Sub("host");
        Directory.CreateDirectory(Path.Combine(dataDir, "demo"));
        File.WriteAllText(Path.Combine(dataDir, "demo", "tenant.key"), "mds_x\n");
        var refused = Assert.Throws<StartupRefusedException>(() => MdsHost.Build([$"--Mds:DataDir={dataDir}", "--Mds:AdminKey=test-admin"]));
        Assert.Contains("belongs to the local demo", refused.Message);
        Assert.Contains("--Mds:DataDir", refused.Message);
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public void Key_files_are_readable_by_their_owner_only_even_when_replacing_a_world_readable_one()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Sub("keys"), "tenant.key");
        File.WriteAllText(path, "old\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        MetadataDelivery.Host.Auth.SecretFile.Write(path, "mds_new");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("mds_new\n", File.ReadAllText(path));
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
