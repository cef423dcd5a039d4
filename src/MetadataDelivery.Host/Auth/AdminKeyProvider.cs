using MetadataDelivery.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Host.Auth;

/// <summary>The operator key: <c>Mds:AdminKey</c>, else <c>&lt;DataDir&gt;/admin.key</c>, generated (mode 0600) and
/// logged once on first start.</summary>
public sealed class AdminKeyProvider
{
    public string Key { get; }
    public string? GeneratedAt { get; }

    public AdminKeyProvider(IOptions<MdsOptions> options, ILogger<AdminKeyProvider> log)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.AdminKey)) { Key = o.AdminKey.Trim(); return; }
        var path = Path.Combine(o.FullDataDir, "admin.key");
        if (File.Exists(path)) { Key = File.ReadAllText(path).Trim(); return; }
        Directory.CreateDirectory(o.FullDataDir);
        Key = ApiKeys.NewAdminKey();
        SecretFile.Write(path, Key);
        GeneratedAt = path;
        log.LogWarning("Generated the operator key (shown once; also in {Path}): {AdminKey}", path, Key);
    }
}
