namespace MetadataDelivery.Engine.Delivery;

/// <summary>The answer of one push. Push code returns this instead of throwing, so that one bad node
/// cannot fail the shared stream.</summary>
public sealed record PushResult(bool Acked, string? Error)
{
    public static readonly PushResult Ok = new(true, null);
    public static PushResult Fail(string error) => new(false, error);
}
