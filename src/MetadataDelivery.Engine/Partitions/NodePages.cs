using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Partitions;

public static class NodePages
{
    /// <summary>Merges the first page after the same cursor from every partition into the service's page:
    /// the first <paramref name="limit"/> node ids of the union, and a cursor when any partition has more.</summary>
    public static NodeList Merge(IEnumerable<NodeList> pages, int limit)
    {
        var all = new List<NodeView>();
        var more = false;
        foreach (var page in pages)
        {
            all.AddRange(page.Items);
            more |= page.NextCursor is not null;
        }
        all.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node));
        // While a growing service moves nodes, one may briefly sit in its old and its new partition: list it once.
        all = all.Where((n, i) => i == 0 || all[i - 1].Node != n.Node).ToList();
        more |= all.Count > limit;
        if (all.Count > limit) all.RemoveRange(limit, all.Count - limit);
        return new NodeList(all, more && all.Count > 0 ? all[^1].Node : null);
    }
}
