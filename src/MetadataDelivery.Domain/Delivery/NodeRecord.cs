using System.Buffers.Binary;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>What a partition knows of one node. Mutable on purpose: a partition holds tens of thousands of
/// these, and they change only through <see cref="Partitions.PartitionState.Apply"/>.
/// Stored compactly, since a member holds one per managed node: times as UTC ticks (0 = none) instead of
/// nullable DateTimeOffsets, and a "sha256:&lt;hex&gt;" version as its 32-byte digest instead of a 71-character
/// string (about 260 of the 720 bytes a node used to cost). The properties convert on access.</summary>
public sealed class NodeRecord(string address, DateTimeOffset addedAt)
{
    private const string Sha256Prefix = "sha256:";

    private long _addedAt = addedAt.UtcTicks;
    private long _issuedAt, _deliveredAt, _expiresAt, _nextAttemptAt;
    private ulong _v0, _v1, _v2, _v3;
    private bool _hasDigest;
    private string? _otherVersion; // a version that is not a sha256 digest (kept as given)

    public string Address { get; set; } = address;
    public NodeState State { get; set; } = NodeState.Pending;
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public DateTimeOffset AddedAt { get => FromTicks(_addedAt)!.Value; set => _addedAt = value.UtcTicks; }
    public DateTimeOffset? IssuedAt { get => FromTicks(_issuedAt); set => _issuedAt = ToTicks(value); }
    public DateTimeOffset? DeliveredAt { get => FromTicks(_deliveredAt); set => _deliveredAt = ToTicks(value); }
    public DateTimeOffset? ExpiresAt { get => FromTicks(_expiresAt); set => _expiresAt = ToTicks(value); }
    public DateTimeOffset? NextAttemptAt { get => FromTicks(_nextAttemptAt); set => _nextAttemptAt = ToTicks(value); }

    public string? Version
    {
        get
        {
            if (!_hasDigest) return _otherVersion;
            Span<byte> digest = stackalloc byte[32];
            BinaryPrimitives.WriteUInt64BigEndian(digest, _v0);
            BinaryPrimitives.WriteUInt64BigEndian(digest[8..], _v1);
            BinaryPrimitives.WriteUInt64BigEndian(digest[16..], _v2);
            BinaryPrimitives.WriteUInt64BigEndian(digest[24..], _v3);
            return Sha256Prefix + Convert.ToHexStringLower(digest);
        }
        set
        {
            _hasDigest = false;
            _otherVersion = null;
            if (value is null) return;
            Span<byte> digest = stackalloc byte[32];
            if (value.Length == Sha256Prefix.Length + 64 && value.StartsWith(Sha256Prefix, StringComparison.Ordinal)
                && IsLowerHex(value.AsSpan(Sha256Prefix.Length))
                && Convert.FromHexString(value.AsSpan(Sha256Prefix.Length), digest, out _, out var written) == System.Buffers.OperationStatus.Done
                && written == 32)
            {
                _v0 = BinaryPrimitives.ReadUInt64BigEndian(digest);
                _v1 = BinaryPrimitives.ReadUInt64BigEndian(digest[8..]);
                _v2 = BinaryPrimitives.ReadUInt64BigEndian(digest[16..]);
                _v3 = BinaryPrimitives.ReadUInt64BigEndian(digest[24..]);
                _hasDigest = true;
            }
            else _otherVersion = value;
        }
    }

    /// <summary>The moment after which this node is without valid metadata: the held item's expiry, or,
    /// for a node that never got one, a lifetime after it joined.</summary>
    public DateTimeOffset Deadline(TimeSpan ttl) => ExpiresAt ?? AddedAt + ttl;

    public void Apply(DeliveryOutcome o)
    {
        State = o.State;
        Version = o.Version;
        IssuedAt = o.IssuedAt;
        DeliveredAt = o.DeliveredAt;
        ExpiresAt = o.ExpiresAt;
        NextAttemptAt = o.NextAttemptAt;
        Attempts = o.Attempts;
        LastError = o.LastError;
    }

    private static long ToTicks(DateTimeOffset? t) => t?.UtcTicks ?? 0;
    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    // Upper-case hex would not round-trip to the same string; such versions are kept as given.
    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (!char.IsAsciiHexDigitLower(c)) return false; // 0-9 and a-f
        return true;
    }
}
