using System.Buffers;
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

    /// <summary>The same JSON as <c>Create(...).ToJsonBytes()</c>, written in one pass: the payload goes
    /// straight from bytes to base64 UTF-8, without the UTF-16 base64 string in between (for 10 KB
    /// certificates at thousands per second that string is most of the garbage).</summary>
    public static byte[] SerializeToUtf8(string tenant, string service, string node, string deliveryId, MetadataItem item)
    {
        var buffer = new ArrayBufferWriter<byte>(EstimateUtf8Length(tenant, service, node, deliveryId, item));
        WriteUtf8(buffer, tenant, service, node, deliveryId, item);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the envelope's JSON to <paramref name="output"/> (see <see cref="SerializeToUtf8"/>).</summary>
    public static void WriteUtf8(IBufferWriter<byte> output, string tenant, string service, string node, string deliveryId, MetadataItem item)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("tenant", tenant);
        w.WriteString("service", service);
        w.WriteString("node", node);
        w.WriteString("deliveryId", deliveryId);
        w.WriteString("version", item.Version);
        w.WriteString("contentType", item.ContentType);
        w.WriteBase64String("payload", item.Payload);
        w.WriteString("issuedAt", FormatTime(item.IssuedAt));
        w.WriteString("expiresAt", FormatTime(item.ExpiresAt));
        w.WriteEndObject();
    }

    /// <summary>The envelope's size when no string needs escaping (a buffer of this size is usually enough).</summary>
    public static int EstimateUtf8Length(string tenant, string service, string node, string deliveryId, MetadataItem item) =>
        (item.Payload.Length + 2) / 3 * 4 + tenant.Length + service.Length + node.Length + deliveryId.Length
        + item.Version.Length + item.ContentType.Length + 256;

    public static Envelope? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<Envelope>(json, Json);

    /// <summary>Whether <paramref name="json"/> is one whole, well-formed JSON object naming this tenant, service and
    /// node: how a store checks bytes it kept before serving them (a write torn by a crash is not well-formed). It
    /// reads the document once without building it: the full parse made a UTF-16 copy of the 14 KB payload.</summary>
    public static bool IsEnvelopeOf(ReadOnlySpan<byte> json, string tenant, string service, string node)
    {
        var reader = new Utf8JsonReader(json);
        bool tenantMatches = false, serviceMatches = false, nodeMatches = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    ref var match = ref tenantMatches;
                    string? expected = null;
                    if (reader.ValueTextEquals("tenant"u8)) expected = tenant;
                    else if (reader.ValueTextEquals("service"u8)) { match = ref serviceMatches; expected = service; }
                    else if (reader.ValueTextEquals("node"u8)) { match = ref nodeMatches; expected = node; }
                    if (!reader.Read()) return false;
                    if (expected is not null) match = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expected);
                }
            }
            // Read() ends only at the end of the input, having checked that the object closed and nothing follows it.
            return tenantMatches && serviceMatches && nodeMatches;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>The version and times of a well-formed envelope, read without building it (see <see cref="IsEnvelopeOf"/>).</summary>
    public static bool TryReadItemFacts(ReadOnlySpan<byte> json, out string version, out DateTimeOffset issuedAt, out DateTimeOffset expiresAt)
    {
        version = "";
        issuedAt = expiresAt = default;
        string? v = null, issued = null, expires = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName) continue;
                var field = reader.ValueTextEquals("version"u8) ? 1 : reader.ValueTextEquals("issuedAt"u8) ? 2 : reader.ValueTextEquals("expiresAt"u8) ? 3 : 0;
                if (!reader.Read()) return false;
                if (field == 0 || reader.TokenType != JsonTokenType.String) continue;
                var text = reader.GetString();
                if (field == 1) v = text; else if (field == 2) issued = text; else expires = text;
            }
        }
        catch (JsonException) { return false; }
        if (string.IsNullOrEmpty(v) || !TryParseTime(issued, out issuedAt) || !TryParseTime(expires, out expiresAt)) return false;
        version = v;
        return true;
    }

    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParseTime(string? s, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);
}
