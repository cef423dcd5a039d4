namespace MetadataDelivery.Host.Auth;

/// <summary>Writes a key file readable by its owner only (0600 from creation, never world-readable for a moment),
/// replacing any earlier file whole.</summary>
public static class SecretFile
{
    public static void Write(string path, string secret)
    {
        var tmp = path + ".tmp";
        File.Delete(tmp); // UnixCreateMode applies only when the file is created
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(tmp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(secret + "\n");
        File.Move(tmp, path, overwrite: true);
    }
}
