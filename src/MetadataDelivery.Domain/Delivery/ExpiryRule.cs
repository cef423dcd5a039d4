using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>Expiry of a delivered item = the earliest of: fetch time + ttl; the source's Expires;
/// for a PEM X.509 certificate, the leaf's NotAfter (CONTRACT §2).</summary>
public static class ExpiryRule
{
    private const string BeginCert = "-----BEGIN CERTIFICATE-----";
    private const string EndCert = "-----END CERTIFICATE-----";

    public static DateTimeOffset Compute(DateTimeOffset fetchedAt, TimeSpan ttl, DateTimeOffset? sourceExpires, ReadOnlySpan<byte> payload)
    {
        var expiry = fetchedAt + ttl;
        if (sourceExpires is { } e && e < expiry) expiry = e;
        if (LeafNotAfter(payload) is { } notAfter && notAfter < expiry) expiry = notAfter;
        return expiry;
    }

    /// <summary>The NotAfter of the first certificate in a PEM payload, or null when there is none (or it is unreadable).</summary>
    public static DateTimeOffset? LeafNotAfter(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0 || payload.Length > 4 * 1024 * 1024) return null;
        if (payload.IndexOf("-----BEGIN CERTIFICATE-----"u8) < 0) return null;
        var text = Encoding.ASCII.GetString(payload);
        var start = text.IndexOf(BeginCert, StringComparison.Ordinal);
        var end = text.IndexOf(EndCert, start, StringComparison.Ordinal);
        if (end < 0) return null;
        try
        {
            var base64 = text[(start + BeginCert.Length)..end];
            var der = Convert.FromBase64String(base64);
            using var cert = X509CertificateLoader.LoadCertificate(der);
            return new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
