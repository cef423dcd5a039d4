using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Host.Api;

// What the API returns. Durations are ISO 8601; times RFC 3339 UTC.
public sealed record MetadataRepresentation(string Source, string Ttl, double RenewAt, string? RefreshInterval);

public sealed record NodeMapRepresentation(string Location, string? Etag, DateTimeOffset? SyncedAt, int NodeCount, string? LastError);

public sealed record NodeCountsRepresentation(int Total, int Delivered, int Pending, int Retrying, int Expired);

public sealed record ServiceRepresentation(
    string Name, string Tenant, NodeMapRepresentation NodeMap, MetadataRepresentation Metadata, DeliverySpec Delivery,
    DateTimeOffset CreatedAt, NodeCountsRepresentation Nodes);

public sealed record CreatedServiceRepresentation(
    string Name, string Tenant, NodeMapRepresentation NodeMap, MetadataRepresentation Metadata, DeliverySpec Delivery,
    DateTimeOffset CreatedAt, NodeCountsRepresentation Nodes, string DeliverySecret);

public sealed record NodeRepresentation(
    string Node, string Address, string State, string? Version, DateTimeOffset? DeliveredAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextAttemptAt, int Attempts, string? LastError);

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Representations
{
    public static ServiceRepresentation Of(ServiceView v) => new(
        v.Spec.Name, v.Tenant,
        new NodeMapRepresentation(v.Spec.NodeMap, v.NodeMap.ETag, v.NodeMap.SyncedAt, v.NodeMap.NodeCount, v.NodeMap.LastError),
        new MetadataRepresentation(v.Spec.Metadata.Source, Durations.ToIso(v.Spec.Metadata.Ttl), v.Spec.Metadata.RenewAt,
            v.Spec.Metadata.RefreshInterval is { } r ? Durations.ToIso(r) : null),
        v.Spec.Delivery, v.RegisteredAt,
        new NodeCountsRepresentation(v.Nodes.Total, v.Nodes.Delivered, v.Nodes.Pending, v.Nodes.Retrying, v.Nodes.Expired));

    public static CreatedServiceRepresentation Created(ServiceRegisteredReply r)
    {
        var s = Of(r.Service);
        return new(s.Name, s.Tenant, s.NodeMap, s.Metadata, s.Delivery, s.CreatedAt, s.Nodes, r.DeliverySecret);
    }

    public static NodeRepresentation Of(NodeView n) =>
        new(n.Node, n.Address, n.State.ToWire(), n.Version, n.DeliveredAt, n.ExpiresAt, n.NextAttemptAt, n.Attempts, n.LastError);
}
