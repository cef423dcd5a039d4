using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetadataDelivery.Domain.Services;

/// <summary>Reads <c>nodeMap</c> either as the location string of CONTRACT §2 or as the status object that
/// GET returns (<c>{"location": …, "etag": …}</c>), so a service read back can be PUT back unchanged.</summary>
public sealed class NodeMapLocationConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.StartObject:
                string? location = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (name == "location")
                        location = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("nodeMap.location must be a string");
                    else reader.Skip();
                }
                return location;
            default:
                throw new JsonException("nodeMap must be a string (s3://bucket/key or file:///path)");
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
