namespace MetadataDelivery.Host;

/// <summary>Defaults put ahead of the operator's arguments (a later argument with the same key wins).</summary>
public static class HostArguments
{
    /// <summary>Configuration is read once at start, so the appsettings files are not watched for changes. Watching
    /// them means a recursive inotify watch on the content root, and the default data directory (./data) lies
    /// under it: every segment append and SQLite WAL write woke the watcher thread, which cost 11 % of the
    /// delivery rate at saturation (docs/benchmarks.md).</summary>
    public const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    public static string[] WithDefaults(string[] args) => [NoConfigReload, .. args];
}
