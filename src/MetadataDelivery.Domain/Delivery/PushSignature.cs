using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>CONTRACT §3: <c>X-Mds-Signature: v1=hex(HMAC-SHA256(secret, "&lt;timestamp&gt;.&lt;raw body&gt;"))</c>.
/// During a secret rotation's grace period the header carries one <c>v1=</c> entry per valid secret,
/// comma-separated, newest first, so agents still configured with the old secret keep accepting pushes.</summary>
public static class PushSignature
{
    public const string TimestampHeader = "X-Mds-Timestamp";
    public const string SignatureHeader = "X-Mds-Signature";
    private const string Prefix = "v1=";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        // "<ts>." and the body go into the HMAC one after the other: no copy of the (10 KB+) body.
        Span<byte> prefix = stackalloc byte[24];
        unixSeconds.TryFormat(prefix, out var written, provider: CultureInfo.InvariantCulture);
        prefix[written++] = (byte)'.';
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix[..written]);
        hmac.AppendData(body);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>The header value signing with every secret given (current first).</summary>
    public static string SignAll(IEnumerable<string> secrets, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var entries = new List<string>();
        foreach (var secret in secrets) entries.Add(Sign(secret, unixSeconds, body));
        return string.Join(",", entries);
    }

    public enum Verdict { Valid, Missing, BadTimestamp, OutsideWindow, BadSignature }

    /// <summary>Checks a signature against any of the given secrets (current and, during rotation, previous),
    /// in constant time per secret, and the timestamp against the allowed clock skew.</summary>
    public static Verdict Verify(IEnumerable<string> secrets, string? timestampHeader, string? signatureHeader,
        ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan allowedSkew)
    {
        if (string.IsNullOrEmpty(timestampHeader) || string.IsNullOrEmpty(signatureHeader)) return Verdict.Missing;
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)) return Verdict.BadTimestamp;
        var skew = Math.Abs(now.ToUnixTimeSeconds() - ts);
        if (skew > allowedSkew.TotalSeconds) return Verdict.OutsideWindow;
        var entries = signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length > 8) return Verdict.BadSignature;
        foreach (var secret in secrets)
        {
            var expected = Encoding.ASCII.GetBytes(Sign(secret, ts, body));
            foreach (var entry in entries)
                if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(entry))) return Verdict.Valid;
        }
        return Verdict.BadSignature;
    }
}
