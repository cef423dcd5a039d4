using MetadataDelivery.Engine.Configuration;

namespace MetadataDelivery.Host.Demo;

/// <summary>Keeps the local demo and a real member apart on disk. The demo's default data directory is
/// <c>./demo-data</c>, not <c>./data</c>; and a member started without <c>--demo</c> on a directory the demo used
/// refuses to start, because it would run the demo service with no simulated fleet behind it (every node expiring,
/// an alarm for each).</summary>
public static class DemoDataDir
{
    public const string DefaultDemoDataDir = "./demo-data";

    /// <summary>The demo's default data directory, unless the operator chose one.</summary>
    public static void ApplyDefault(ConfigurationManager configuration)
    {
        var demo = configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled");
        if (demo && string.IsNullOrWhiteSpace(configuration[$"{MdsOptions.Section}:DataDir"]))
            configuration.AddInMemoryCollection([new($"{MdsOptions.Section}:DataDir", DefaultDemoDataDir)]);
    }

    /// <summary>Why a member without the demo must not start on this data directory, or null when it may.</summary>
    public static string? RefusalFor(string fullDataDir, bool demoEnabled)
    {
        if (demoEnabled || !File.Exists(DemoRunner.TenantKeyFile(fullDataDir))) return null;
        return $"The data directory {fullDataDir} belongs to the local demo (it holds {DemoRunner.TenantKeyFile(fullDataDir)}). "
            + "Start with --demo to run the demo again, or give this member a data directory of its own with --Mds:DataDir=<path>.";
    }
}

/// <summary>The member cannot start as configured; the message says why and what to do (no stack trace).</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
