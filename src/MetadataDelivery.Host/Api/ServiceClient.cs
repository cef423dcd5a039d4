using Akka.Actor;
using Akka.Hosting;
using MetadataDelivery.Engine.Hosting;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Host.Api;

/// <summary>Asks ServiceActors through the shard region. A timeout is a 503 (the cluster is busy or
/// rebalancing), never an unhandled 500.</summary>
public sealed class ServiceClient(IRequiredActor<ServiceRegion> region)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A command that needs no answer.</summary>
    public void Tell(IServiceCommand command) => region.ActorRef.Tell(command, ActorRefs.NoSender);

    public async Task<(object? Reply, IResult? Error)> AskAsync(IServiceCommand command, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        try
        {
            var reply = await region.ActorRef.Ask<object>(command, timeout ?? DefaultTimeout, ct);
            return (reply, null);
        }
        catch (AskTimeoutException)
        {
            return (null, Problems.Unavailable("The service did not answer in time; the cluster may be starting or rebalancing. Retry shortly."));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, Problems.Unavailable("The service did not answer in time; retry shortly."));
        }
    }
}
