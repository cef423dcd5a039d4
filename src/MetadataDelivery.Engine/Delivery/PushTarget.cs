using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Engine.Delivery;

/// <summary><c>{scheme}://{address}:{port}{path}</c>; a <c>host:port</c> address overrides <c>delivery.port</c>.</summary>
public static class PushTarget
{
    public static Uri? For(DeliverySpec delivery, string address)
    {
        if (!NodeAddress.TryParse(address, out var host, out var port)) return null;
        return Uri.TryCreate($"{delivery.Scheme}://{host}:{port ?? delivery.Port}{delivery.Path}", UriKind.Absolute, out var uri) ? uri : null;
    }
}
