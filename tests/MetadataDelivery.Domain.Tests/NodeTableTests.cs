using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;

namespace MetadataDelivery.Domain.Tests;

public class NodeTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nodes_are_found_by_id_with_their_address_and_record()
    {
        var t = new NodeTable();
        var a = t.Set("a", "10.0.0.1:7070", T0);
        var b = t.Set("node-ü", "h2", T0.AddMinutes(1)); // UTF-8 beyond ASCII round-trips
        Assert.Equal(2, t.Count);
        Assert.True(t.TryGetSlot("node-ü", out var found));
        Assert.Equal(b, found);
        Assert.Equal("node-ü", t.IdOf(b));
        Assert.Equal("h2", t.AddressOf(b));
        Assert.Equal(T0.AddMinutes(1), t[b].AddedAt);
        Assert.True(t.HasAddress(a, "10.0.0.1:7070"));
        Assert.False(t.HasAddress(a, "10.0.0.1:7071"));
        Assert.False(t.Contains("A"));
        Assert.False(t.TryGetValue("missing", out _));
    }

    [Fact]
    public void Outcomes_apply_to_their_node_only_and_a_set_again_starts_fresh()
    {
        var t = new NodeTable();
        var a = t.Set("a", "h1", T0);
        var b = t.Set("b", "h2", T0);
        Assert.True(t.Apply(new DeliveryOutcome("a", NodeState.Retrying, "v1", T0, null, null, T0.AddSeconds(5), 3, "refused")));
        Assert.False(t.Apply(new DeliveryOutcome("gone", NodeState.Delivered, "v1", T0, T0, T0, T0, 0, null)));
        Assert.Equal(NodeState.Retrying, t[a].State);
        Assert.Equal(3, t[a].Attempts);
        Assert.Equal("refused", t[a].LastError);
        Assert.Equal("v1", t[a].Version);
        Assert.Equal(NodeState.Pending, t[b].State);
        Assert.Equal(a, t.Set("a", "h9", T0.AddHours(1)));
        Assert.Equal(NodeState.Pending, t[a].State);
        Assert.Equal("h9", t.AddressOf(a));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void Removed_slots_are_reused_and_no_longer_found()
    {
        var t = new NodeTable();
        var a = t.Set("a", "h1", T0);
        t.Set("b", "h2", T0);
        Assert.True(t.Remove("a"));
        Assert.False(t.Remove("a"));
        Assert.False(t.IsLive(a));
        Assert.False(t.Contains("a"));
        var c = t.Set("c", "h3", T0);
        Assert.Equal(a, c);
        Assert.Equal("c", t.IdOf(c));
        Assert.Equal(["b", "c"], t.Slots.Select(t.IdOf).Order());
        t.Clear();
        Assert.Equal(0, t.Count);
        Assert.Empty(t.Slots);
        Assert.False(t.Contains("b"));
    }

    [Fact]
    public void A_small_table_holds_little_and_its_first_page_grows_without_losing_nodes()
    {
        var t = new NodeTable();
        for (var i = 0; i < 10; i++) t.Set($"n{i}", $"10.0.0.{i}:7070", T0);
        var small = t.AllocatedBytes;
        Assert.True(small < 4096, $"{small} bytes for 10 nodes"); // a whole first page would be 512 records (45 KB) and 64 KB of text
        t.Apply(new DeliveryOutcome("n3", NodeState.Delivered, "sha256:ab", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null));

        var longAddress = new string('a', 3_000) + ":7070"; // more than the first text page holds at once
        for (var i = 10; i < 1_200; i++) t.Set($"n{i}", i == 700 ? longAddress : $"10.0.{i / 256}.{i % 256}:7070", T0.AddSeconds(i));

        Assert.True(t.AllocatedBytes > small);
        for (var i = 0; i < 1_200; i++)
        {
            Assert.True(t.TryGetSlot($"n{i}", out var slot), $"n{i}");
            Assert.Equal($"n{i}", t.IdOf(slot));
            Assert.Equal(i < 10 ? $"10.0.0.{i}:7070" : i == 700 ? longAddress : $"10.0.{i / 256}.{i % 256}:7070", t.AddressOf(slot));
            Assert.Equal(i < 10 ? T0 : T0.AddSeconds(i), t[slot].AddedAt);
        }
        Assert.True(t.TryGetValue("n3", out var kept));
        Assert.Equal(NodeState.Delivered, kept.State); // written before the first page grew
        Assert.Equal(1_200, t.Slots.Count());
    }

    [Fact]
    public void A_reserved_slice_is_held_exactly_and_what_was_there_survives()
    {
        const int recordBytes = 88 + sizeof(int); // a record and its text reference
        var t = new NodeTable();
        t.Set("first", "10.0.0.0:7070", T0);
        t.Apply(new DeliveryOutcome("first", NodeState.Delivered, "sha256:ab", T0, T0, T0.AddHours(1), T0.AddMinutes(40), 0, null));
        var slice = Enumerable.Range(1, 99).Select(i => new NodeEntry($"n{i:D3}", $"10.0.0.{i}:7070")).ToList();

        t.Reserve(slice, []);
        foreach (var n in slice) t.Set(n.Id, n.Address, T0);

        var text = "first".Length + "10.0.0.0:7070".Length + slice.Sum(n => n.Id.Length + n.Address.Length) + 4 * 100; // 4 bytes of lengths per entry
        var index = 128 * sizeof(uint); // 100 nodes at most 80 % full
        Assert.Equal(100 * recordBytes + Math.Max(1024, text) + index, t.AllocatedBytes); // doubling would hold 128 records and 4 KB of text
        Assert.True(t.TryGetValue("first", out var first));
        Assert.Equal(NodeState.Delivered, first.State); // written before the pages were resized
        Assert.Equal("10.0.0.0:7070", t.AddressOf(0));
        Assert.All(slice, n => Assert.Equal(n.Address, t.AddressOf(t.TryGetSlot(n.Id, out var slot) ? slot : -1)));

        t.Set("n100", "10.0.0.100:7070", T0); // one more after the reserved ones still fits (the page doubles)
        Assert.Equal(101, t.Slots.Count());
        Assert.True(t.Remove("n001"));
        var before = t.AllocatedBytes;
        t.Reserve([new NodeEntry("n200", "h")], []); // a free slot takes the newcomer: no record more
        t.Set("n200", "h", T0);
        Assert.True(t.AllocatedBytes - before < recordBytes, $"{t.AllocatedBytes - before} bytes more");
    }

    [Fact]
    public void A_table_growing_by_one_node_a_slice_grows_by_half_instead_of_copying_every_time()
    {
        var t = new NodeTable();
        var first = Enumerable.Range(0, 100).Select(i => new NodeEntry($"n{i:D3}", $"10.0.0.{i}:7070")).ToList();
        t.Reserve(first, []);
        foreach (var n in first) t.Set(n.Id, n.Address, T0);
        var sizes = new HashSet<long> { t.AllocatedBytes };
        for (var i = 100; i < 400; i++)
        {
            NodeEntry[] one = [new($"n{i:D3}", $"10.0.{i / 256}.{i % 256}:7070")];
            t.Reserve(one, []);
            t.Set(one[0].Id, one[0].Address, T0);
            sizes.Add(t.AllocatedBytes);
        }
        // Records 100 → 150 → 225 → 337 → 505, text by half as much again from 2 KB, the index doubling: a few sizes, not 300.
        Assert.InRange(sizes.Count, 2, 20);
        Assert.Equal(400, t.Count);
    }

    [Fact]
    public void Agrees_with_a_dictionary_under_random_adds_removes_and_readdresses()
    {
        // Long addresses and many changes: the index resizes and shifts entries back on removal, the text arena compacts.
        var random = new Random(11);
        var t = new NodeTable();
        var reference = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var step = 0; step < 60_000; step++)
        {
            var id = "n" + random.Next(8_000);
            switch (random.Next(3))
            {
                case 0:
                    var address = $"host-{random.Next(1_000_000)}.{new string('x', random.Next(0, 120))}.example:7070";
                    t.Set(id, address, T0);
                    reference[id] = address;
                    break;
                case 1:
                    Assert.Equal(reference.Remove(id), t.Remove(id));
                    break;
                default:
                    if (!t.TryGetSlot(id, out var slot)) { Assert.False(reference.ContainsKey(id)); break; }
                    var moved = "moved-" + random.Next(1_000_000) + new string('y', random.Next(0, 120));
                    t.SetAddress(slot, moved);
                    reference[id] = moved;
                    break;
            }
        }
        Assert.Equal(reference.Count, t.Count);
        foreach (var (id, address) in reference)
        {
            Assert.True(t.TryGetSlot(id, out var slot), id);
            Assert.Equal(address, t.AddressOf(slot));
            Assert.Equal(id, t.IdOf(slot));
        }
        Assert.Equal(reference.Keys.Order(), t.Slots.Select(t.IdOf).Order());
    }

    [Fact]
    public void Pages_in_ordinal_id_order_after_a_cursor_like_sorting_every_id()
    {
        // Ids of every allowed character, some removed (free slots in the middle), half the nodes filtered out.
        const string alphabet = "ABCXYZabcxyz0189._:-";
        var random = new Random(5);
        var t = new NodeTable();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 3_000; i++)
        {
            var id = new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (ids.Add(id)) t.Set(id, "127.0.0.1:1", T0);
        }
        foreach (var id in ids.Where((_, i) => i % 7 == 0).ToList()) { t.Remove(id); ids.Remove(id); }
        Func<int, bool> even = slot => slot % 2 == 0;
        var sorted = ids.Order(StringComparer.Ordinal).ToList();
        var evenSorted = sorted.Where(id => t.TryGetSlot(id, out var s) && even(s)).ToList();

        foreach (var cursor in new string?[] { null, "", "-", "A", "Zz", sorted[sorted.Count / 2], sorted[^1], "zzzzzzzzzzzzz" })
        {
            Assert.Equal(sorted.Where(id => cursor is null || string.CompareOrdinal(id, cursor) > 0).Take(25),
                t.FirstSlotsAfter(cursor, 25).Select(t.IdOf));
            Assert.Equal(evenSorted.Where(id => cursor is null || string.CompareOrdinal(id, cursor) > 0).Take(25),
                t.FirstSlotsAfter(cursor, 25, even).Select(t.IdOf));
        }

        var walked = new List<string>();
        for (string? cursor = null; ;)
        {
            var page = t.FirstSlotsAfter(cursor, 97).Select(t.IdOf).ToList();
            walked.AddRange(page);
            if (page.Count < 97) break;
            cursor = page[^1];
        }
        Assert.Equal(sorted, walked);
        Assert.Empty(t.FirstSlotsAfter(null, 0));
    }

    [Fact]
    public void Diff_finds_added_removed_and_readdressed_nodes()
    {
        var t = new NodeTable();
        foreach (var (id, address) in new[] { ("a", "h1"), ("b", "h2"), ("c", "h3") }) t.Set(id, address, T0);
        List<NodeEntry> next = [new("b", "h2"), new("c", "h3:9000"), new("d", "h4")];
        var actual = t.Diff(next);
        Assert.Equal([new NodeEntry("d", "h4")], actual.Added);
        Assert.Equal(["a"], actual.Removed);
        Assert.Equal([new NodeEntry("c", "h3:9000")], actual.Readdressed);
        Assert.True(t.Diff([new("a", "h1"), new("b", "h2"), new("c", "h3")]).IsEmpty);
    }
}
