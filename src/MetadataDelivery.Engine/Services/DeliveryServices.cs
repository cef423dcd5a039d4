using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.NodeMaps;
using MetadataDelivery.Engine.Sources;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Services;

/// <summary>What ServiceActors and NodeDeliveryActors need from the member they run on.</summary>
public sealed record DeliveryServices(
    MdsOptions Options,
    MetadataSourceResolver Sources,
    NodeMapReader NodeMaps,
    PushPipeline Pipeline,
    IEnvelopeStore Envelopes,
    ICatalogStore Catalog,
    MdsMetrics Metrics,
    TimeProvider Time);
