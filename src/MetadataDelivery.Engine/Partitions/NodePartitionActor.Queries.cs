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
            Sender.Tell(_state.IsActive && _state.Nodes.TryGetSlot(cmd.Node, out var slot) ? NodeViewOf(cmd.Node, slot) : new NodeNotFound(Key, cmd.Node)));

        Command<ListPartitionNodes>(cmd =>
        {
            var limit = Math.Clamp(cmd.Limit, 1, 1000);
            var nodes = _state.Nodes;
            var page = nodes.FirstSlotsAfter(cmd.Cursor, limit + 1, cmd.State is { } state ? slot => nodes[slot].State == state : null)
                .Select(slot => NodeViewOf(nodes.IdOf(slot), slot))
                .ToList();
            string? next = null;
            if (page.Count > limit) { page.RemoveAt(limit); next = page[^1].Node; }
            Sender.Tell(new NodeList(page, next));
        });

        Command<LocatePartition>(_ =>
            Sender.Tell(new PartitionLocation(_state.Key.Index, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(), _state.Nodes.Count)));

        Command<ForcePartitionDelivery>(cmd =>
        {
            if (!_state.IsActive || !_state.Nodes.TryGetSlot(cmd.Node, out var slot)) { Sender.Tell(new NodeNotFound(Key, cmd.Node)); return; }
            var deliveryId = Force(slot);
            if (cmd.WaitForAck) AddWaiter(cmd.Node, Sender);
            else Sender.Tell(new DeliveryAccepted(deliveryId));
        });
    }

    private NodeView NodeViewOf(string node, int slot)
    {
        var r = _state.Nodes[slot];
        return new NodeView(node, _state.Nodes.AddressOf(slot), r.State, r.Version, r.DeliveredAt, r.ExpiresAt, r.NextAttemptAt, r.Attempts, r.LastError);
    }
}
