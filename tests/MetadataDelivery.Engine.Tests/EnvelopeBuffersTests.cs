using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Delivery;

namespace MetadataDelivery.Engine.Tests;

public class EnvelopeBuffersTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, 123, TimeSpan.Zero);

    private static MetadataItem Item(int payloadBytes)
    {
        var payload = new byte[payloadBytes];
        new Random(payloadBytes).NextBytes(payload);
        return new MetadataItem(payload, "application/x-pem-file", At, At.AddHours(1));
    }

    [Theory]
    [InlineData(0, "node-1")]
    [InlineData(10_240, "node-1")]
    [InlineData(70_000, "node-1")] // beyond the pooled sizes: allocated, same bytes
    public void A_pooled_envelope_holds_the_same_bytes_as_the_one_pass_writer(int payloadBytes, string node)
    {
        var key = new ServiceKey("acme", "payments");
        var item = Item(payloadBytes);
        var pooled = new EnvelopeBuffers(maxPerSize: 4).Write(key, node, "d1", item);
        Assert.Equal(Envelope.SerializeToUtf8(key.Tenant, key.Service, node, "d1", item), pooled.Bytes.ToArray());
    }

    [Fact]
    public void The_escaped_node_really_outgrows_the_first_buffer()
    {
        var node = string.Concat(Enumerable.Repeat("é", 400));
        var item = Item(10);
        Assert.True(Envelope.SerializeToUtf8("acme", "payments", node, "d1", item).Length
                    > Envelope.EstimateUtf8Length("acme", "payments", node, "d1", item) + 256);
        var pooled = new EnvelopeBuffers(maxPerSize: 4).Write(new ServiceKey("acme", "payments"), node, "d1", item);
        Assert.Equal(Envelope.SerializeToUtf8("acme", "payments", node, "d1", item), pooled.Bytes.ToArray());
    }

    [Fact]
    public void A_returned_envelope_cannot_be_read_and_returning_twice_is_harmless()
    {
        var buffers = new EnvelopeBuffers(maxPerSize: 4);
        var pooled = buffers.Write(new ServiceKey("acme", "payments"), "node-1", "d1", Item(100));
        pooled.Return();
        pooled.Return();
        Assert.Throws<ObjectDisposedException>(() => pooled.Bytes);
    }

    [Fact]
    public void A_returned_buffer_is_reused_by_the_next_envelope_of_its_size()
    {
        var buffers = new EnvelopeBuffers(maxPerSize: 4);
        var first = buffers.Write(new ServiceKey("acme", "payments"), "node-1", "d1", Item(10_240));
        var firstArray = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(first.Bytes, out var a) ? a.Array : null;
        first.Return();
        var second = buffers.Write(new ServiceKey("acme", "payments"), "node-2", "d2", Item(10_240));
        var secondArray = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(second.Bytes, out var b) ? b.Array : null;
        Assert.NotNull(firstArray);
        Assert.Same(firstArray, secondArray);
    }
}
