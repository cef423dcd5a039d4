using System.Text;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;

namespace MetadataDelivery.Domain.Tests;

public class NodeMapParserTests
{
    private static NodeMapParseResult Parse(string json, NodeMapLimits? limits = null) =>
        NodeMapParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), limits ?? NodeMapLimits.Default);

    [Fact]
    public void Parses_the_contract_example()
    {
        var r = Parse("""{"nodes":[{"id":"node-17","address":"10.1.2.17"},{"id":"node-18","address":"10.1.2.18:7443"}]}""");
        Assert.True(r.IsValid, r.Error);
        Assert.Equal([new NodeEntry("node-17", "10.1.2.17"), new NodeEntry("node-18", "10.1.2.18:7443")], r.Nodes);
    }

    [Fact]
    public void Ignores_unknown_fields_at_any_depth()
    {
        var r = Parse("""{"version":2,"meta":{"a":[1,{"b":null}]},"nodes":[{"id":"a","tags":{"x":[1,2]},"address":"h1"}],"trailer":[[]]}""");
        Assert.True(r.IsValid, r.Error);
        Assert.Equal([new NodeEntry("a", "h1")], r.Nodes);
    }

    [Fact]
    public void An_empty_fleet_is_valid() => Assert.Empty(Parse("""{"nodes":[]}""").Nodes!);

    [Theory]
    [InlineData("""{"nodes":[{"id":"a","address":"h"},{"id":"a","address":"h2"}]}""", "listed more than once")]
    [InlineData("""{"nodes":[{"id":"bad id","address":"h"}]}""", "is invalid")]
    [InlineData("""{"nodes":[{"id":"","address":"h"}]}""", "is invalid")]
    [InlineData("""{"nodes":[{"id":"a"}]}""", "has no \"address\"")]
    [InlineData("""{"nodes":[{"address":"h"}]}""", "has no \"id\"")]
    [InlineData("""{"nodes":[{"id":"a","address":"h:99999"}]}""", "address")]
    [InlineData("""{"nodes":[{"id":"a","address":"-bad-.x"}]}""", "address")]
    [InlineData("""{"nodes":[{"id":7,"address":"h"}]}""", "must be a string")]
    [InlineData("""{"nodes":{"id":"a"}}""", "must be an array")]
    [InlineData("""{"nodes":["a"]}""", "must be an object")]
    [InlineData("""[{"id":"a","address":"h"}]""", "must be a JSON object")]
    [InlineData("""{"hosts":[]}""", "no \"nodes\" array")]
    [InlineData("""{"nodes":[{"id":"a","address":"h"}""", "")]
    [InlineData("""{"nodes":[{"id":"a","address":"h"},]}""", "invalid JSON")]
    [InlineData("""not json""", "invalid JSON")]
    [InlineData("", "")]
    [InlineData("""{"nodes":[]}{"nodes":[]}""", "")]
    public void Rejects_invalid_maps_whole(string json, string expected)
    {
        var r = Parse(json);
        Assert.False(r.IsValid);
        Assert.Null(r.Nodes);
        Assert.Contains(expected, r.Error);
    }

    [Fact]
    public void Errors_say_where()
    {
        var r = Parse("""{"nodes":[{"id":"ok","address":"h"},{"id":"ok","address":"h"}]}""");
        Assert.Contains("'ok' (#2)", r.Error);
        Assert.Contains("(byte offset 36)", r.Error);
    }

    [Fact]
    public void Invalid_json_says_where_not_offset_0()
    {
        var r = Parse("""{"nodes":[{"id":"a","address":"h"},]}""");
        Assert.Contains("line 1, byte 36 of the line (after byte offset 34)", r.Error); // the "]" after the comma

        // A syntax error on line 3 of a map bigger than one read, whole and trickled byte by byte.
        var sb = new StringBuilder("{\n\"nodes\": [");
        for (var i = 0; i < 3000; i++) sb.Append($"{{\"id\":\"node-{i}\",\"address\":\"10.0.{i >> 8 & 255}.{i & 255}\"}},");
        sb.Append("\n{\"id\": \"x\" \"address\": \"h\"}]}");
        var text = sb.ToString();
        var badAt = text.LastIndexOf("\"address\"", StringComparison.Ordinal);
        foreach (var result in new[] { Parse(text), NodeMapParser.Parse(new TrickleStream(Encoding.UTF8.GetBytes(text)), NodeMapLimits.Default) })
        {
            Assert.False(result.IsValid);
            Assert.Contains("line 3, byte 12 of the line", result.Error);
            Assert.Contains($"(after byte offset {badAt - 1})", result.Error); // right after "x"
        }
    }

    [Fact]
    public void Enforces_node_and_size_limits()
    {
        var json = """{"nodes":[{"id":"a","address":"h"},{"id":"b","address":"h"},{"id":"c","address":"h"}]}""";
        Assert.Contains("limit of 2 nodes", Parse(json, new NodeMapLimits(1 << 20, 2)).Error);
        Assert.Contains("limit of 20 bytes", Parse(json, new NodeMapLimits(20, 10)).Error);
        Assert.True(Parse(json, new NodeMapLimits(json.Length, 3)).IsValid);
    }

    [Fact]
    public void Parses_across_tiny_reads_the_same_as_whole()
    {
        var json = """{"x":{"deep":[1,2,{"y":"z"}]},"nodes":[{"id":"node-1","address":"[::1]:8443"},{"id":"n.2_x:y","address":"host.example.com"}]}""";
        var whole = Parse(json);
        var trickled = NodeMapParser.Parse(new TrickleStream(Encoding.UTF8.GetBytes(json)), NodeMapLimits.Default);
        Assert.True(trickled.IsValid, trickled.Error);
        Assert.Equal(whole.Nodes, trickled.Nodes);
    }

    [Fact]
    public void Parses_a_large_map_with_a_small_buffer()
    {
        const int count = 200_000;
        var sb = new StringBuilder("{\"nodes\":[");
        for (var i = 0; i < count; i++) sb.Append(i == 0 ? "" : ",").Append($"{{\"id\":\"node-{i}\",\"address\":\"127.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\"}}");
        sb.Append("]}");
        var r = Parse(sb.ToString());
        Assert.True(r.IsValid, r.Error);
        Assert.Equal(count, r.Nodes!.Count);
        Assert.Equal("node-199999", r.Nodes[^1].Id);
    }

    /// <summary>Returns one byte per read, to exercise every token split across buffer refills.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            base.ReadAsync(buffer, offset, Math.Min(1, count), ct);
    }
}

public class NodeMapDiffTests
{
    [Fact]
    public void Finds_added_removed_and_readdressed()
    {
        var current = new Dictionary<string, string> { ["a"] = "h1", ["b"] = "h2", ["c"] = "h3" };
        var next = new[] { new NodeEntry("a", "h1"), new NodeEntry("b", "h2:8443"), new NodeEntry("d", "h4") };
        var diff = TableOf(current).Diff(next);
        Assert.Equal([new NodeEntry("d", "h4")], diff.Added);
        Assert.Equal(["c"], diff.Removed);
        Assert.Equal([new NodeEntry("b", "h2:8443")], diff.Readdressed);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void Same_map_is_an_empty_diff()
    {
        var current = new Dictionary<string, string> { ["a"] = "h1" };
        Assert.True(TableOf(current).Diff([new NodeEntry("a", "h1")]).IsEmpty);
    }

    private static NodeTable TableOf(Dictionary<string, string> addresses)
    {
        var table = new NodeTable();
        foreach (var (id, address) in addresses) table.Set(id, address, DateTimeOffset.UnixEpoch);
        return table;
    }
}

public class NodeAddressTests
{
    [Theory]
    [InlineData("10.1.2.17", "10.1.2.17", null)]
    [InlineData("10.1.2.18:7443", "10.1.2.18", 7443)]
    [InlineData("node-1.example.com", "node-1.example.com", null)]
    [InlineData("[::1]:8080", "[::1]", 8080)]
    [InlineData("[fe80::1]", "[fe80::1]", null)]
    public void Parses_valid_addresses(string address, string host, int? port)
    {
        Assert.True(NodeAddress.TryParse(address, out var h, out var p));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:abc")]
    [InlineData("ho st")]
    [InlineData("http://host")]
    [InlineData("[::1")]
    [InlineData("[zz]:80")]
    [InlineData("host/../etc")]
    public void Rejects_invalid_addresses(string address) => Assert.False(NodeAddress.IsValid(address));
}

public class NodeMapEncodingTests
{
    [Fact]
    public void A_utf8_byte_order_mark_is_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("""{"nodes":[{"id":"a","address":"h"}]}""")).ToArray();
        var r = NodeMapParser.Parse(new MemoryStream(bytes), NodeMapLimits.Default);
        Assert.True(r.IsValid, r.Error);
        Assert.Single(r.Nodes!);
    }
}
