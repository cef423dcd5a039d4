using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Tests;

public class NodePagesTests
{
    private static NodeView V(string id) => new(id, "127.0.0.1:1", NodeState.Delivered, null, null, null, null, 0, null);
    private static NodeList Page(string? next, params string[] ids) => new(ids.Select(V).ToList(), next);

    [Fact]
    public void Merges_by_node_id_and_cuts_at_the_limit()
    {
        var merged = NodePages.Merge([Page("e", "a", "c", "e"), Page(null, "b", "d")], limit: 3);
        Assert.Equal(["a", "b", "c"], merged.Items.Select(n => n.Node));
        Assert.Equal("c", merged.NextCursor);
    }

    [Fact]
    public void A_partition_with_more_keeps_the_cursor_even_when_the_union_fits()
    {
        var merged = NodePages.Merge([Page("b", "a", "b"), Page(null)], limit: 3);
        Assert.Equal(["a", "b"], merged.Items.Select(n => n.Node));
        Assert.Equal("b", merged.NextCursor);
    }

    [Fact]
    public void A_node_held_by_two_partitions_while_it_moves_is_listed_once()
    {
        var merged = NodePages.Merge([Page(null, "a", "b"), Page(null, "b", "c")], limit: 10);
        Assert.Equal(["a", "b", "c"], merged.Items.Select(n => n.Node));
    }

    [Fact]
    public void The_last_page_has_no_cursor()
    {
        var merged = NodePages.Merge([Page(null, "a"), Page(null, "b")], limit: 3);
        Assert.Null(merged.NextCursor);
        Assert.Empty(NodePages.Merge([Page(null), Page(null)], 5).Items);
    }

    [Fact]
    public void Paging_through_partitions_returns_every_node_once_in_order()
    {
        var partitions = Enumerable.Range(0, 4)
            .Select(p => Enumerable.Range(0, 103).Where(i => i % 4 == p).Select(i => $"n{i:D3}").ToList()).ToList();
        NodeList PageOf(List<string> ids, string? cursor, int limit)
        {
            var after = ids.Where(id => cursor is null || string.CompareOrdinal(id, cursor) > 0).ToList();
            return new NodeList(after.Take(limit).Select(V).ToList(), after.Count > limit ? after[limit - 1] : null);
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = NodePages.Merge(partitions.Select(p => PageOf(p, cursor, 10)), 10);
            seen.AddRange(page.Items.Select(n => n.Node));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => $"n{i:D3}"), seen);
    }
}
