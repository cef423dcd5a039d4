using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace MetadataDelivery.Engine.Serialization;

/// <summary>The one serializer for everything marked <see cref="Domain.IMdsSerializable"/>: System.Text.Json
/// with short, stable manifests from <see cref="MdsManifests"/> (never CLR type names in the journal).</summary>
public sealed class MdsJsonSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7301;

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly FrozenDictionary<Type, string> ManifestByType = MdsManifests.All.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ManifestByType.TryGetValue(o.GetType(), out var m)
            ? m
            : throw new ArgumentException($"{o.GetType().FullName} has no manifest in {nameof(MdsManifests)}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        MdsManifests.All.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options) ?? throw new System.Runtime.Serialization.SerializationException($"null payload for manifest '{manifest}'")
            : throw new System.Runtime.Serialization.SerializationException($"unknown manifest '{manifest}'");
}
