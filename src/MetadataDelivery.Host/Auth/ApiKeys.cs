using System.Security.Cryptography;
using System.Text;

namespace MetadataDelivery.Host.Auth;

/// <summary>API keys: 32 random bytes, shown once; only their SHA-256 is stored.</summary>
public static class ApiKeys
{
    public static string NewTenantKey() => "mds_" + Base64Url(RandomNumberGenerator.GetBytes(32));
    public static string NewAdminKey() => "mds_admin_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
