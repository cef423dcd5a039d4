using Akka.Actor;
using MetadataDelivery.Domain.Events;

namespace MetadataDelivery.Engine.Partitions;

// Following the ServiceActor's configuration: spec, secrets, retirement.
public sealed partial class NodePartitionActor
{
    private void RegisterConfigurationHandlers()
    {
        Command<ConfigurePartition>(cmd =>
        {
            if (_passivating) return; // stopping: the ServiceActor resends, which starts this entity again
            var replyTo = Sender;
            RememberService(replyTo);
            if (cmd.Version <= _state.ConfigVersion) // a resend, or a late copy
            {
                replyTo.Tell(ConfigAck());
                if (_state.IsRetired) Passivate();
                return;
            }
            var wasActive = _state.IsActive;
            var sourceChanged = _state.Spec?.Metadata != cmd.Spec?.Metadata;
            FlushOutcomesNow(); // outcomes recorded under the old configuration are journaled before it changes
            Persist(new PartitionConfigured(cmd.Version, cmd.Spec, cmd.Secret, cmd.PreviousSecrets, Now), e =>
            {
                if (e.Spec is null)
                {
                    StopRunning();
                    _state.Apply(e);
                    Persisted();
                    replyTo.Tell(ConfigAck());
                    Passivate();
                    return;
                }
                _state.Apply(e);
                Persisted();
                Context.SetReceiveTimeout(null);
                // Items fetched under the old source or lifetime must not be pushed; the new refresh interval
                // and lifetime take effect in the schedules now, not at each node's next ack.
                if (sourceChanged) _cachedItems.Clear();
                if (wasActive) { RebuildSchedules(); ArmTick(); }
                else StartRunning();
                replyTo.Tell(ConfigAck());
            });
        });
    }

    private PartitionConfigAcked ConfigAck() => new(Key, _state.Key.Index, _state.ConfigVersion, _state.Counts());
}
