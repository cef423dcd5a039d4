namespace MetadataDelivery.Domain.Services;

public sealed record NodeMapStatus(string? ETag, DateTimeOffset? SyncedAt, int NodeCount, string? LastError, DateTimeOffset? LastErrorAt)
{
    public static readonly NodeMapStatus Never = new(null, null, 0, null, null);
}
