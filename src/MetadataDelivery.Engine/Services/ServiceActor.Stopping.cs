using Akka.Actor;
using Akka.Cluster.Sharding;

namespace MetadataDelivery.Engine.Services;

// Stopping: for passivation (a deleted or unknown name) and for hand-off (a rebalance). The shard sends the stop
// message some time after this entity asked to passivate and buffers what arrives for it meanwhile, but messages
// already in the mailbox come first: a name registered again in that window must neither lose the reply nor stay
// stopped, since nothing else would wake a registered service's node-map sync.
public sealed partial class ServiceActor
{
    /// <summary>Asynchronous work whose completion answers a caller. Each instance counts only its own: after a
    /// restart (the shard restarts an entity that threw) results of the instance before still arrive, and are answered
    /// but not counted.</summary>
    private sealed class PendingReply;

    private readonly HashSet<PendingReply> _pendingReplies = [];
    private bool _stopRequested;

    private void RegisterStopHandlers()
    {
        Command<StopServiceActor>(_ => RequestStop(wake: false)); // a hand-off: the shard starts it again where it moves
        Command<StopPassivatedService>(_ =>
            // Passivation is only asked for while the name is not registered; registered now means registered again
            // since. The shard buffers the wake-up for the stopping entity and restarts it with it.
            RequestStop(wake: _state.IsRegistered));
        Command<WakeService>(_ =>
        {
            // Recovery already started a registered service; an entity woken for a name deleted since leaves again.
            if (!_state.IsRegistered) PassivateOnceRetired();
        });
    }

    /// <summary>Asks the shard to stop this entity with <see cref="StopPassivatedService"/>.</summary>
    private void Passivate() => Context.Parent.Tell(new Passivate(StopPassivatedService.Instance));

    private void RequestStop(bool wake)
    {
        _stopRequested = true;
        if (wake) _services.ServiceRegion().Tell(new WakeService(Key));
        StopOnceSettled();
    }

    private PendingReply ReplyStarted()
    {
        var pending = new PendingReply();
        _pendingReplies.Add(pending);
        return pending;
    }

    private void ReplySettled(PendingReply? pending)
    {
        if (pending is not null && _pendingReplies.Remove(pending)) StopOnceSettled();
    }

    private void StopOnceSettled()
    {
        if (!_stopRequested || _pendingReplies.Count > 0) return;
        FlushViewWaiters(); // reads waiting for the partitions' counts are answered with what is known
        Context.Stop(Self);
    }
}
