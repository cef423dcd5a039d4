using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>CONTRACT §3: <c>X-Mds-Signature: v1=hex(HMAC-SHA256(secret, "&lt;timestamp&gt;.&lt;raw body&gt;"))</c>.</summary>
public static class PushSignature
{
    public const string TimestampHeader = "X-Mds-Timestamp";
    public const string SignatureHeader = "X-Mds-Signature";
    private const string Prefix = "v1=";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var ts = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var message = new byte[ts.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(ts, message);
        message[ts.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(ts.Length + 1));
        return Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
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
        var given = Encoding.ASCII.GetBytes(signatureHeader);
        foreach (var secret in secrets)
        {
            var expected = Encoding.ASCII.GetBytes(Sign(secret, ts, body));
            if (CryptographicOperations.FixedTimeEquals(expected, given)) return Verdict.Valid;
        }
        return Verdict.BadSignature;
    }
}
