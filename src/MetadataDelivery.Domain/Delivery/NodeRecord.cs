using System.Buffers.Binary;

namespace MetadataDelivery.Domain.Delivery;

/// <summary>What a partition knows of one node's delivery: a value, stored by the million in
/// <see cref="Partitions.NodeTable"/>'s arrays, so it is kept small (88 bytes): times as UTC ticks (0 = none)
/// instead of nullable DateTimeOffsets, a "sha256:&lt;hex&gt;" version as its 32-byte digest instead of a
/// 71-character string, and one reference for the rare extras (an error, a version that is not a digest).
/// The properties convert on access. The node's id and address live in the table, not here.</summary>
public struct NodeRecord(DateTimeOffset addedAt)
{
    private const string Sha256Prefix = "sha256:";

    private long _addedAt = addedAt.UtcTicks;
    private long _issuedAt, _deliveredAt, _expiresAt, _nextAttemptAt;
    private ulong _v0, _v1, _v2, _v3;
    private object? _extra; // null, the last error (string), or Extras when the version is not a digest
    private int _attempts;
    private byte _state;
    private bool _hasDigest;

    private sealed record Extras(string? OtherVersion, string? LastError);

    public NodeState State { readonly get => (NodeState)_state; set => _state = (byte)value; }
    public int Attempts { readonly get => _attempts; set => _attempts = value; }

    public DateTimeOffset AddedAt { readonly get => new(_addedAt, TimeSpan.Zero); set => _addedAt = value.UtcTicks; }
    public DateTimeOffset? IssuedAt { readonly get => FromTicks(_issuedAt); set => _issuedAt = ToTicks(value); }
    public DateTimeOffset? DeliveredAt { readonly get => FromTicks(_deliveredAt); set => _deliveredAt = ToTicks(value); }
    public DateTimeOffset? ExpiresAt { readonly get => FromTicks(_expiresAt); set => _expiresAt = ToTicks(value); }
    public DateTimeOffset? NextAttemptAt { readonly get => FromTicks(_nextAttemptAt); set => _nextAttemptAt = ToTicks(value); }

    public string? LastError
    {
        readonly get => _extra switch { string error => error, Extras x => x.LastError, _ => null };
        set => SetExtras(OtherVersion, value);
    }

    private readonly string? OtherVersion => (_extra as Extras)?.OtherVersion;

    public string? Version
    {
        readonly get
        {
            if (!_hasDigest) return OtherVersion;
            Span<byte> digest = stackalloc byte[32];
            BinaryPrimitives.WriteUInt64BigEndian(digest, _v0);
            BinaryPrimitives.WriteUInt64BigEndian(digest[8..], _v1);
            BinaryPrimitives.WriteUInt64BigEndian(digest[16..], _v2);
            BinaryPrimitives.WriteUInt64BigEndian(digest[24..], _v3);
            return Sha256Prefix + Convert.ToHexStringLower(digest);
        }
        set
        {
            var error = LastError;
            _hasDigest = false;
            Span<byte> digest = stackalloc byte[32];
            if (value is not null && value.Length == Sha256Prefix.Length + 64 && value.StartsWith(Sha256Prefix, StringComparison.Ordinal)
                && IsLowerHex(value.AsSpan(Sha256Prefix.Length))
                && Convert.FromHexString(value.AsSpan(Sha256Prefix.Length), digest, out _, out var written) == System.Buffers.OperationStatus.Done
                && written == 32)
            {
                _v0 = BinaryPrimitives.ReadUInt64BigEndian(digest);
                _v1 = BinaryPrimitives.ReadUInt64BigEndian(digest[8..]);
                _v2 = BinaryPrimitives.ReadUInt64BigEndian(digest[16..]);
                _v3 = BinaryPrimitives.ReadUInt64BigEndian(digest[24..]);
                _hasDigest = true;
                SetExtras(null, error);
            }
            else SetExtras(value, error);
        }
    }

    /// <summary>The moment after which this node is without valid metadata: the held item's expiry, or,
    /// for a node that never got one, a lifetime after it joined.</summary>
    public readonly DateTimeOffset Deadline(TimeSpan ttl) => ExpiresAt ?? AddedAt + ttl;

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

    /// <summary>This record as the outcome that would recreate it (hand-over, snapshots).</summary>
    public readonly DeliveryOutcome ToOutcome(string node) =>
        new(node, State, Version, IssuedAt, DeliveredAt, ExpiresAt, NextAttemptAt, Attempts, LastError);

    private void SetExtras(string? otherVersion, string? lastError) =>
        _extra = otherVersion is null ? lastError : new Extras(otherVersion, lastError);

    private static long ToTicks(DateTimeOffset? t) => t?.UtcTicks ?? 0;
    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    // Upper-case hex would not round-trip to the same string; such versions are kept as given.
    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (!char.IsAsciiHexDigitLower(c)) return false; // 0-9 and a-f
        return true;
    }
}
