using System.Collections.Frozen;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Partitions;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Serialization;

/// <summary>Manifest → type. Manifests are written into the journal: never change or reuse one.</summary>
public static class MdsManifests
{
    public static readonly FrozenDictionary<string, Type> All = new Dictionary<string, Type>
    {
        // events and snapshots (journal)
        ["e.reg"] = typeof(ServiceRegistered),
        ["e.upd"] = typeof(ServiceSpecUpdated),
        ["e.del"] = typeof(ServiceDeleted),
        ["e.sec"] = typeof(DeliverySecretRotated),
        ["e.mapd"] = typeof(NodeMapApplied), // "e.map" was the whole diff, before node partitions
        ["e.maprej"] = typeof(NodeMapRejected),
        ["e.mapdist"] = typeof(NodeMapDistributionStarted),
        ["e.pretired"] = typeof(PartitionsRetired),
        ["e.out"] = typeof(DeliveryOutcomesRecorded),
        ["s.svc2"] = typeof(ServiceSnapshot), // "s.svc" held the nodes, before node partitions
        ["e.pcfg"] = typeof(PartitionConfigured),
        ["e.slice"] = typeof(NodeSliceApplied),
        ["s.part"] = typeof(PartitionSnapshot),
        // commands
        ["c.reg"] = typeof(RegisterService),
        ["c.upd"] = typeof(UpdateService),
        ["c.del"] = typeof(DeleteService),
        ["c.get"] = typeof(GetService),
        ["c.sync"] = typeof(SyncNodeMap),
        ["c.rot"] = typeof(RotateDeliverySecret),
        ["c.nodes"] = typeof(ListNodes),
        ["c.node"] = typeof(GetNode),
        ["c.force"] = typeof(ForceDelivery),
        ["c.secrets"] = typeof(GetDeliverySecrets),
        ["c.pcfg"] = typeof(ConfigurePartition),
        ["c.slice"] = typeof(AssignNodeSlice),
        ["c.pnode"] = typeof(GetPartitionNode),
        ["c.pnodes"] = typeof(ListPartitionNodes),
        ["c.pforce"] = typeof(ForcePartitionDelivery),
        ["c.ppulled"] = typeof(PartitionNodePulled),
        ["c.pulled"] = typeof(NodePulled),
        ["c.pcfgack"] = typeof(PartitionConfigAcked),
        ["c.sliceack"] = typeof(NodeSliceAcked),
        ["c.pcounts"] = typeof(PartitionCountsChanged),
        ["c.handover"] = typeof(HandOverNodes),
        ["c.ploc"] = typeof(LocatePartition),
        ["c.plocs"] = typeof(LocatePartitions),
        ["c.wake"] = typeof(WakeService),
        // replies
        ["r.svc"] = typeof(ServiceView),
        ["r.reg"] = typeof(ServiceRegisteredReply),
        ["r.exists"] = typeof(ServiceAlreadyExists),
        ["r.nosvc"] = typeof(ServiceNotFound),
        ["r.nonode"] = typeof(NodeNotFound),
        ["r.del"] = typeof(ServiceDeletedReply),
        ["r.sync"] = typeof(SyncAccepted),
        ["r.secret"] = typeof(DeliverySecretReply),
        ["r.secrets"] = typeof(DeliverySecrets),
        ["r.node"] = typeof(NodeView),
        ["r.nodes"] = typeof(NodeList),
        ["r.accepted"] = typeof(DeliveryAccepted),
        ["r.acked"] = typeof(DeliveryAcked),
        ["r.busy"] = typeof(ServiceBusy),
        ["r.ploc"] = typeof(PartitionLocation),
        ["r.plocs"] = typeof(PartitionPlacement),
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
