namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>Either the whole valid map, or the first thing wrong with it (never a partial map).</summary>
public sealed record NodeMapParseResult(IReadOnlyList<NodeEntry>? Nodes, string? Error)
{
    public bool IsValid => Nodes is not null;
    public static NodeMapParseResult Ok(IReadOnlyList<NodeEntry> nodes) => new(nodes, null);
    public static NodeMapParseResult Invalid(string error) => new(null, error);
}
