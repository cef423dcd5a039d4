using Akka.Actor;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Sources;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Services;

/// <summary>What ServiceActors, node partitions and NodeDeliveryActors need from the member they run on.
/// The shard regions are looked up on first use: they start after this is built.</summary>
public sealed record DeliveryServices(
    Func<IActorRef> ServiceRegion,
    Func<IActorRef> PartitionRegion,
    MdsOptions Options,
    MetadataSourceResolver Sources,
    NodeMapReader NodeMaps,
    PushPipeline Pipeline,
    EnvelopeBuffers EnvelopeBuffers,
    IEnvelopeStore Envelopes,
    ICatalogStore Catalog,
    MdsMetrics Metrics,
    TimeProvider Time,
    AttemptBudget AttemptBudget);
