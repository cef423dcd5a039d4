using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>The push body of CONTRACT §3. Times are RFC 3339 UTC strings with millisecond precision.</summary>
public sealed record Envelope(
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("deliveryId")] string DeliveryId,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("issuedAt")] string IssuedAt,
    [property: JsonPropertyName("expiresAt")] string ExpiresAt)
{
    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    public static Envelope Create(string tenant, string service, string node, string deliveryId, MetadataItem item) =>
        new(tenant, service, node, deliveryId, item.Version, item.ContentType, Convert.ToBase64String(item.Payload),
            FormatTime(item.IssuedAt), FormatTime(item.ExpiresAt));

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static Envelope? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<Envelope>(json, Json);

    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParseTime(string? s, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);
}
