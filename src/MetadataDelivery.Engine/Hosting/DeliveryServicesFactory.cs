using Akka.Actor;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Sources;
using MetadataDelivery.Engine.Storage;
using Microsoft.Extensions.Options;

namespace MetadataDelivery.Engine.Hosting;

/// <summary>Builds the member's <see cref="DeliveryServices"/> once the ActorSystem exists (the push
/// pipeline is materialized in it).</summary>
public sealed class DeliveryServicesFactory(
    IOptions<MdsOptions> options, MetadataSourceResolver sources, NodeMapReader nodeMaps, IEnvelopeStore envelopes,
    ICatalogStore catalog, MdsMetrics metrics, TimeProvider time, IHttpClientFactory clients)
{
    private readonly Lock _gate = new();
    private DeliveryServices? _services;

    public DeliveryServices Create(ActorSystem system)
    {
        lock (_gate)
        {
            if (_services is not null) return _services;
            var o = options.Value;
            var push = new PushClient(clients.CreateClient(PushClient.ClientName), metrics, time, o.Delivery.PushTimeout);
            var pipeline = new PushPipeline(system, push, o.Delivery);
            var sharding = Akka.Cluster.Sharding.ClusterSharding.Get(system);
            IActorRef? services = null, partitions = null;
            return _services = new DeliveryServices(
                () => services ??= sharding.ShardRegion(AkkaBuilderExtensions.ServiceTypeName),
                () => partitions ??= sharding.ShardRegion(AkkaBuilderExtensions.PartitionTypeName),
                o, sources, nodeMaps, pipeline, new EnvelopeBuffers(o.Delivery.MaxAttemptsInFlight), envelopes, catalog, metrics, time,
                new AttemptBudget(o.Delivery.MaxAttemptsInFlight));
        }
    }
}
