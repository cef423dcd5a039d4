using System.Buffers;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>The member's pool of envelope buffers. An envelope lives from its serialization to its ack — at
/// saturation tens of milliseconds, across several gen-0 collections — so as fresh arrays most envelopes were
/// promoted and copied by the GC before they died; rented from here they stay where they are.</summary>
/// <param name="maxPerSize">buffers kept per size class (the member's attempt budget: one envelope per attempt).</param>
public sealed class EnvelopeBuffers(int maxPerSize)
{
    /// <summary>Larger envelopes (payloads of 48 KB and up) are allocated and left to the GC, so that a few big
    /// items cannot make the pool hold megabytes for good.</summary>
    private const int MaxPooledLength = 64 * 1024;

    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create(MaxPooledLength, Math.Max(1, maxPerSize));

    public PooledEnvelope Write(ServiceKey key, string node, string deliveryId, MetadataItem item)
    {
        var envelope = new PooledEnvelope(_pool, Envelope.EstimateUtf8Length(key.Tenant, key.Service, node, deliveryId, item));
        Envelope.WriteUtf8(envelope, key.Tenant, key.Service, node, deliveryId, item);
        return envelope;
    }
}

/// <summary>One envelope's bytes in a rented buffer. <see cref="Return"/> gives the buffer back; call it only
/// once nothing can read the bytes any more (the store has committed them and the agent has acked them).
/// An envelope that is never returned is simply collected.</summary>
public sealed class PooledEnvelope : IBufferWriter<byte>
{
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _written;

    internal PooledEnvelope(ArrayPool<byte> pool, int capacity)
    {
        _pool = pool;
        _buffer = pool.Rent(Math.Max(256, capacity));
    }

    public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, _written);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledEnvelope), "the envelope's buffer was returned");

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > Buffer.Length) throw new InvalidOperationException("advanced past the buffer");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return Buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return Buffer.AsSpan(_written);
    }

    private void EnsureRoom(int sizeHint)
    {
        var current = Buffer;
        var needed = _written + Math.Max(1, sizeHint);
        if (needed <= current.Length) return;
        var larger = _pool.Rent(Math.Max(needed, current.Length * 2));
        current.AsSpan(0, _written).CopyTo(larger);
        _buffer = larger;
        _pool.Return(current);
    }

    public void Return()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null) _pool.Return(buffer);
    }
}
