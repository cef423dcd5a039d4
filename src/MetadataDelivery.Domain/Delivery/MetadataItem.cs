using System.Security.Cryptography;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>A fetched piece of metadata for one node, with the expiry that CONTRACT §2's rule gives it.</summary>
public sealed record MetadataItem(byte[] Payload, string ContentType, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public string Version { get; } = VersionOf(Payload);

    public TimeSpan Lifetime => ExpiresAt - IssuedAt;

    public static string VersionOf(ReadOnlySpan<byte> payload) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));
}
