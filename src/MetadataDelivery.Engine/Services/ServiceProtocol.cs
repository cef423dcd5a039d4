using MetadataDelivery.Domain;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Sharding;

namespace MetadataDelivery.Engine.Services;

// Commands to a ServiceActor. They cross members through sharding, so each is serializable.
public interface IServiceCommand : IWithServiceId, IMdsSerializable;

public sealed record RegisterService(ServiceKey Key, ServiceSpec Spec) : IServiceCommand;
public sealed record UpdateService(ServiceKey Key, ServiceSpec Spec) : IServiceCommand;
public sealed record DeleteService(ServiceKey Key) : IServiceCommand;
public sealed record GetService(ServiceKey Key) : IServiceCommand;
public sealed record SyncNodeMap(ServiceKey Key) : IServiceCommand;
public sealed record RotateDeliverySecret(ServiceKey Key) : IServiceCommand;
public sealed record ListNodes(ServiceKey Key, NodeState? State, int Limit, string? Cursor) : IServiceCommand;
public sealed record GetNode(ServiceKey Key, string Node) : IServiceCommand;
public sealed record ForceDelivery(ServiceKey Key, string Node, bool WaitForAck) : IServiceCommand;
public sealed record GetDeliverySecrets(ServiceKey Key) : IServiceCommand;
/// <summary>A node fetched this item itself through the signed pull path; no reply.</summary>
public sealed record NodePulled(ServiceKey Key, string Node, string Version, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt) : IServiceCommand;
/// <summary>Operator view: which member runs each of the service's node partitions.</summary>
public sealed record LocatePartitions(ServiceKey Key) : IServiceCommand;
/// <summary>Starts the entity if it is not running (a service registered again while it was being passivated); no reply.</summary>
public sealed record WakeService(ServiceKey Key) : IServiceCommand;

// Replies.
public interface IServiceReply : IMdsSerializable;

public sealed record ServiceView(string Tenant, ServiceSpec Spec, DateTimeOffset RegisteredAt, NodeCounts Nodes, NodeMapStatus NodeMap) : IServiceReply;
public sealed record ServiceRegisteredReply(ServiceView Service, string DeliverySecret) : IServiceReply;
public sealed record ServiceAlreadyExists(ServiceKey Key) : IServiceReply;
public sealed record ServiceNotFound(ServiceKey Key) : IServiceReply;
public sealed record NodeNotFound(ServiceKey Key, string Node) : IServiceReply;
public sealed record ServiceDeletedReply(ServiceKey Key) : IServiceReply;
public sealed record SyncAccepted(ServiceKey Key) : IServiceReply;
public sealed record DeliverySecretReply(string DeliverySecret) : IServiceReply;
public sealed record DeliverySecrets(IReadOnlyList<string> Secrets) : IServiceReply;
public sealed record NodeView(
    string Node, string Address, NodeState State, string? Version, DateTimeOffset? DeliveredAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextAttemptAt, int Attempts, string? LastError) : IServiceReply;
public sealed record NodeList(IReadOnlyList<NodeView> Items, string? NextCursor) : IServiceReply;
public sealed record DeliveryAccepted(string DeliveryId) : IServiceReply;
public sealed record DeliveryAcked(string DeliveryId, string Version, DateTimeOffset DeliveredAt) : IServiceReply;
public sealed record ServiceBusy(ServiceKey Key, string Reason) : IServiceReply;
public sealed record PartitionPlacement(ServiceKey Key, IReadOnlyList<Partitions.PartitionLocation> Partitions) : IServiceReply;
