namespace MetadataDelivery.Domain.Delivery;

/// <summary>Delivery ids: 128 random bits as 32 lowercase hex digits (the shape of a <c>Guid</c> in "N" format).
/// They name an attempt in the push, the journal and the force API, so they must be unique, not secret.
/// <see cref="Random.Shared"/> is seeded from the OS once; <see cref="Guid.NewGuid"/> reads <c>/dev/urandom</c>
/// on every call here (one system call per attempt, 0.7 % of the member's CPU at saturation).</summary>
public static class DeliveryIds
{
    public static string New()
    {
        Span<byte> bits = stackalloc byte[16];
        Random.Shared.NextBytes(bits);
        return Convert.ToHexStringLower(bits);
    }
}
