using Akka.Actor;
using Akka.Cluster.Sharding;

namespace MetadataDelivery.Engine.Services;

// Stopping: for passivation (a deleted or unknown name) and for hand-off (a rebalance). The shard sends the stop
// message some time after this entity asked to passivate and buffers what arrives for it meanwhile, but messages
// already in the mailbox come first: a name registered again in that window must neither lose the reply nor stay
// stopped, since nothing else would wake a registered service's node-map sync.
public sealed partial class ServiceActor
{
    private bool _passivationRequested;
    private bool _stopRequested;
    private int _repliesInFlight; // asynchronous work (catalog upserts, deletion cleanup) whose completion answers a caller

    private void RegisterStopHandlers()
    {
        Command<StopServiceActor>(_ =>
        {
            _stopRequested = true;
            if (_passivationRequested && _state.IsRegistered)
                _services.ServiceRegion().Tell(new WakeService(Key)); // buffered by the shard; it restarts this entity
            StopOnceSettled();
        });
        Command<WakeService>(_ =>
        {
            // Recovery already started a registered service; an entity woken for a name deleted since leaves again.
            if (!_state.IsRegistered) PassivateOnceRetired();
        });
    }

    /// <summary>Asks the shard to stop this entity with the hand-off message.</summary>
    private void Passivate()
    {
        _passivationRequested = true;
        Context.Parent.Tell(new Passivate(StopServiceActor.Instance));
    }

    private void ReplyStarted() => _repliesInFlight++;

    private void ReplySettled()
    {
        _repliesInFlight--;
        StopOnceSettled();
    }

    private void StopOnceSettled()
    {
        if (_stopRequested && _repliesInFlight == 0) Context.Stop(Self);
    }
}
