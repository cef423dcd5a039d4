namespace MetadataDelivery.Domain.Services;

public sealed record NodeCounts(int Total, int Delivered, int Pending, int Retrying, int Expired)
{
    public static readonly NodeCounts Zero = new(0, 0, 0, 0, 0);

    /// <summary>The counts of several node sets together (a service's partitions, a member's partitions).</summary>
    public static NodeCounts Sum(IEnumerable<NodeCounts> counts)
    {
        int total = 0, delivered = 0, pending = 0, retrying = 0, expired = 0;
        foreach (var c in counts)
        {
            total += c.Total; delivered += c.Delivered; pending += c.Pending; retrying += c.Retrying; expired += c.Expired;
        }
        return new NodeCounts(total, delivered, pending, retrying, expired);
    }
}
