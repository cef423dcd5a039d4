using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

/// <summary>Human tables by default, the API's JSON with <c>--json</c>. Errors always go to stderr.</summary>
public sealed class Output(TextWriter stdout, TextWriter stderr, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool Json => json;
    public TextWriter Err => stderr;

    public void Raw(JsonNode? node) => stdout.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public void Line(string text) => stdout.WriteLine(text);

    public void Error(string text) => stderr.WriteLine("mds: " + text);

    /// <summary>Prints rows as aligned columns under a header.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => c ?? "-").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        stdout.WriteLine(string.Join("  ", headers.Select((h, i) => h.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var r in all) stdout.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>Prints "key: value" lines for an object, flattening one level of nesting.</summary>
    public void Properties(JsonObject obj, string prefix = "")
    {
        foreach (var (name, value) in obj)
        {
            if (value is JsonObject inner) Properties(inner, prefix + name + ".");
            else stdout.WriteLine($"{prefix}{name}: {Scalar(value)}");
        }
    }

    public static string Scalar(JsonNode? value) => value switch
    {
        null => "-",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };
}
