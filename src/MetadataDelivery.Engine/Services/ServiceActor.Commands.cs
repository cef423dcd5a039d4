using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Partitions;

namespace MetadataDelivery.Engine.Services;

// The control-plane commands: register, read, update, delete, rotate, force.
public sealed partial class ServiceActor
{
    private sealed record CatalogUpdated(IActorRef? ReplyTo, object? Reply, bool Succeeded, PendingReply? Pending);
    private sealed record RetryCatalog { public static readonly RetryCatalog Instance = new(); }

    private void RegisterCommandHandlers()
    {
        Command<RegisterService>(cmd =>
        {
            if (_state.IsRegistered) { Sender.Tell(new ServiceAlreadyExists(cmd.Key)); return; }
            var replyTo = Sender;
            _passivateWhenRetired = false; // a deletion's pending passivation must not stop the new registration
            Persist(new ServiceRegistered(cmd.Key, cmd.Spec, NewSecret(), Now), e =>
            {
                _state.Apply(e);
                Persisted();
                Log.Info("service {0} registered (node map {1}, source {2})", Key, e.Spec.NodeMap, e.Spec.Metadata.Source);
                StartRunning(firstSyncDelay: TimeSpan.Zero);
                UpsertCatalog(replyTo, new ServiceRegisteredReply(View(), e.Secret));
            });
        });
        Command<CatalogUpdated>(done =>
        {
            done.ReplyTo?.Tell(done.Reply);
            // The registration is durable in the journal; the catalog row (the listing's read model) is
            // retried until it lands (or upserted again when the entity next recovers), so listing and lookups
            // converge without losing the reply.
            if (!done.Succeeded && _state.IsRegistered && !_stopRequested)
                Timers.StartSingleTimer("catalog", RetryCatalog.Instance, TimeSpan.FromSeconds(5));
            ReplySettled(done.Pending);
        });
        Command<RetryCatalog>(_ => { if (_state.IsRegistered && !_stopRequested) UpsertCatalog(null, null); });

        Command<GetService>(cmd => IfRegistered(() => ReplyWithView(Sender)));

        Command<UpdateService>(cmd => IfRegistered(() =>
        {
            var replyTo = Sender;
            var nodeMapChanged = cmd.Spec.NodeMap != _state.Spec!.NodeMap;
            Persist(new ServiceSpecUpdated(cmd.Spec, Now), e =>
            {
                _state.Apply(e);
                Persisted();
                SendConfiguration();
                if (nodeMapChanged) RequestSync(ignoreETag: true);
                replyTo.Tell(View());
            });
        }));

        Command<DeleteService>(cmd => IfRegistered(() =>
        {
            var replyTo = Sender;
            Persist(new ServiceDeleted(Now), e =>
            {
                StopRunning();
                _state.Apply(e);
                Persisted();
                SendConfiguration(); // retires the partitions
                Log.Info("service {0} deleted", Key);
                var key = Key;
                var pending = ReplyStarted();
                Task.Run(() => Task.WhenAll(_services.Catalog.DeleteServiceAsync(key), _services.Envelopes.DeleteServiceAsync(key)))
                    .ContinueWith(t => t.IsCompletedSuccessfully ? null : t.Exception?.GetBaseException().Message)
                    .PipeTo(Self, success: error => new DeletionCleaned(replyTo, error, pending));
            });
        }));
        Command<DeletionCleaned>(done =>
        {
            if (done.Error is not null) Log.Error("cleanup after deleting {0} failed: {1}", Key, done.Error);
            done.ReplyTo.Tell(new ServiceDeletedReply(Key));
            if (!_state.IsRegistered) PassivateOnceRetired(); // unless the name was registered again meanwhile
            ReplySettled(done.Pending);
        });

        Command<SyncNodeMap>(cmd => IfRegistered(() =>
        {
            RequestSync(ignoreETag: false);
            Sender.Tell(new SyncAccepted(Key));
        }));

        Command<RotateDeliverySecret>(cmd => IfRegistered(() =>
        {
            var replyTo = Sender;
            Persist(new DeliverySecretRotated(NewSecret(), _state.Secret!, Now + ServiceState.DeliverySecretGrace), e =>
            {
                _state.Apply(e);
                Persisted();
                SendConfiguration();
                replyTo.Tell(new DeliverySecretReply(e.Secret));
            });
        }));

        Command<GetDeliverySecrets>(cmd => IfRegistered(() => Sender.Tell(new DeliverySecrets(_state.ValidSecrets(Now).ToList()))));

        Command<GetNode>(cmd => IfRegistered(() => Partitions.Tell(new GetPartitionNode(PartitionOfNode(cmd.Node), cmd.Node), Sender)));
        Command<ListNodes>(cmd => IfRegistered(() => ListAcrossPartitions(cmd, Sender)));
        Command<LocatePartitions>(cmd => IfRegistered(() => LocateAllPartitions(Sender)));
        Command<ForceDelivery>(cmd => IfRegistered(() =>
            Partitions.Tell(new ForcePartitionDelivery(PartitionOfNode(cmd.Node), cmd.Node, cmd.WaitForAck), Sender)));
        Command<NodePulled>(cmd => IfRegistered(() =>
            Partitions.Tell(new PartitionNodePulled(PartitionOfNode(cmd.Node), cmd.Node, cmd.Version, cmd.IssuedAt, cmd.ExpiresAt))));
    }

    private sealed record DeletionCleaned(IActorRef ReplyTo, string? Error, PendingReply Pending);

    /// <summary>Answers only when the service exists; otherwise says so and passivates, so that reads of
    /// unknown names leave no entity behind.</summary>
    private void IfRegistered(Action action)
    {
        if (_state.IsRegistered) { action(); return; }
        Sender.Tell(new ServiceNotFound(Key));
        PassivateOnceRetired();
    }

    private void UpsertCatalog(IActorRef? replyTo, object? reply)
    {
        var key = Key;
        var at = _state.RegisteredAt ?? Now;
        var system = Context.System;
        var pending = replyTo is null ? null : ReplyStarted(); // a caller waits for this one
        Task.Run(() => _services.Catalog.UpsertServiceAsync(key, at))
            .ContinueWith(t =>
            {
                if (!t.IsCompletedSuccessfully) system.Log.Error(t.Exception, "catalog upsert of {0} failed; retrying", key);
                return new CatalogUpdated(replyTo, reply, t.IsCompletedSuccessfully, pending);
            })
            .PipeTo(Self);
    }

    private ServiceView View()
    {
        var status = _state.MapStatus;
        if (_lastMapCheck is { } checkedAt && (status.SyncedAt is null || checkedAt > status.SyncedAt))
            status = status with { SyncedAt = checkedAt };
        return new ServiceView(Key.Tenant, _state.Spec!, _state.RegisteredAt!.Value, SummedCounts(), status);
    }

    private static string NewSecret() => "mds_ds_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
