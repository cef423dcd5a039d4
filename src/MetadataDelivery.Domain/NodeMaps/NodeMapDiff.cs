namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>What changed between the node set a service has and a freshly read map.</summary>
public sealed record NodeMapDiff(IReadOnlyList<NodeEntry> Added, IReadOnlyList<string> Removed, IReadOnlyList<NodeEntry> Readdressed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Readdressed.Count == 0;

    public static NodeMapDiff Compute(IReadOnlyDictionary<string, string> currentAddresses, IReadOnlyList<NodeEntry> next) =>
        Compute(currentAddresses.Keys, id => currentAddresses.TryGetValue(id, out var a) ? a : null, next);

    /// <summary>The same, over any node store: the ids it has and a lookup of each id's address.</summary>
    public static NodeMapDiff Compute(IEnumerable<string> currentIds, Func<string, string?> addressOf, IReadOnlyList<NodeEntry> next)
    {
        var added = new List<NodeEntry>();
        var readdressed = new List<NodeEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in next)
        {
            seen.Add(node.Id);
            var address = addressOf(node.Id);
            if (address is null) added.Add(node);
            else if (!string.Equals(address, node.Address, StringComparison.Ordinal)) readdressed.Add(node);
        }
        var removed = currentIds.Where(id => !seen.Contains(id)).ToList();
        return new NodeMapDiff(added, removed, readdressed);
    }
}
