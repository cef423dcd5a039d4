namespace MetadataDelivery.Domain.Services;

public sealed record NodeCounts(int Total, int Delivered, int Pending, int Retrying, int Expired)
{
    public static readonly NodeCounts Zero = new(0, 0, 0, 0, 0);
}
