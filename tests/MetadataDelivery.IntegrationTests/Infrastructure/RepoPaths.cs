namespace MetadataDelivery.IntegrationTests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The checkout's root: the folder holding MetadataDelivery.sln above the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MetadataDelivery.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("cannot find MetadataDelivery.sln above " + AppContext.BaseDirectory);
        }
    }

    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
}
