using MetadataDelivery.Domain.Delivery;

namespace MetadataDelivery.Domain.Tests;

public class DeliveryIdsTests
{
    [Fact]
    public void An_id_is_32_lowercase_hex_digits_like_a_guid_in_N_format()
    {
        var id = DeliveryIds.New();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.True(Guid.TryParseExact(id, "N", out _));
    }

    [Fact]
    public void Ids_do_not_repeat_across_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ => { for (var i = 0; i < 50_000; i++) ids.Add(DeliveryIds.New()); });
        Assert.Equal(200_000, ids.Distinct().Count());
    }
}
