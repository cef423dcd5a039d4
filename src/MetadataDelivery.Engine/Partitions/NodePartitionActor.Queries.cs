using Akka.Actor;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Partitions;

// Node reads and forced deliveries, forwarded by the ServiceActor with the caller as sender.
public sealed partial class NodePartitionActor
{
    private void RegisterQueryHandlers()
    {
        Command<GetPartitionNode>(cmd =>
            Sender.Tell(_state.IsActive && _state.Nodes.TryGetValue(cmd.Node, out var rec) ? NodeViewOf(cmd.Node, rec) : new NodeNotFound(Key, cmd.Node)));

        Command<ListPartitionNodes>(cmd =>
        {
            var limit = Math.Clamp(cmd.Limit, 1, 1000);
            var page = _state.Nodes
                .Where(kv => (cmd.State is null || kv.Value.State == cmd.State) && (cmd.Cursor is null || string.CompareOrdinal(kv.Key, cmd.Cursor) > 0))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(limit + 1)
                .Select(kv => NodeViewOf(kv.Key, kv.Value))
                .ToList();
            string? next = null;
            if (page.Count > limit) { page.RemoveAt(limit); next = page[^1].Node; }
            Sender.Tell(new NodeList(page, next));
        });

        Command<LocatePartition>(_ =>
            Sender.Tell(new PartitionLocation(_state.Key.Index, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(), _state.Nodes.Count)));

        Command<ForcePartitionDelivery>(cmd =>
        {
            if (!_state.IsActive || !_state.Nodes.TryGetValue(cmd.Node, out var rec)) { Sender.Tell(new NodeNotFound(Key, cmd.Node)); return; }
            var deliveryId = Force(cmd.Node, rec);
            if (cmd.WaitForAck) AddWaiter(cmd.Node, Sender);
            else Sender.Tell(new DeliveryAccepted(deliveryId));
        });
    }

    private static NodeView NodeViewOf(string node, NodeRecord r) =>
        new(node, r.Address, r.State, r.Version, r.DeliveredAt, r.ExpiresAt, r.NextAttemptAt, r.Attempts, r.LastError);
}
