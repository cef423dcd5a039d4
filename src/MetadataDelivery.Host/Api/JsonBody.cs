using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;

namespace MetadataDelivery.Host.Api;

/// <summary>Reads a JSON body strictly (unknown fields, wrong types and malformed JSON are field errors)
/// and within the size cap, so that bad bodies become 400/413 problem+json and never a 500.</summary>
public static class JsonBody
{
    public const long MaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // The web defaults match names case-insensitively and let a repeated field win silently
        // ({"name":"u7","name":"u8"} registered u8): a field is spelled one way and given once.
        PropertyNameCaseInsensitive = false,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (request.ContentLength > MaxBytes)
            return (null, Problems.Status(413, "Payload too large", $"Request bodies are limited to {MaxBytes} bytes."));
        if (request.ContentType is { } ct && !ct.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !ct.Contains("+json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.Status(415, "Unsupported media type", "Send the body as application/json."));
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                    return (null, Problems.Status(413, "Payload too large", $"Request bodies are limited to {MaxBytes} bytes."));
                buffer.Write(chunk, 0, read);
            }
            if (buffer.Length == 0) return (null, Problems.Validation("body", "a JSON object is required"));
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options);
            return value is null ? (null, Problems.Validation("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.Validation(field, Describe(ex)));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Problems.Status(ex.StatusCode, "Bad request", ex.Message));
        }
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal)) return "is not a known field";
        if (message.Contains("could not be converted", StringComparison.Ordinal)) return "has the wrong JSON type for this field";
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)) return "is given more than once";
        var line = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (line > 0) message = message[..line];
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return message.Length > 300 ? message[..300] : message;
    }
}
