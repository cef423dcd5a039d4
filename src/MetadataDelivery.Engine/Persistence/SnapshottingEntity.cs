using Akka.Event;
using Akka.Persistence;

namespace MetadataDelivery.Engine.Persistence;

/// <summary>What the service and node-partition entities share: a snapshot every N persisted events, after which
/// the journal and older snapshots are trimmed, so recovery replays a snapshot and a short tail.</summary>
public abstract class SnapshottingEntity : ReceivePersistentActor
{
    private readonly int _snapshotEveryEvents;
    private int _eventsSinceSnapshot;

    protected SnapshottingEntity(int snapshotEveryEvents)
    {
        _snapshotEveryEvents = snapshotEveryEvents;
        Command<SaveSnapshotSuccess>(ok =>
        {
            DeleteMessages(ok.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => Log.Warning(f.Cause, "snapshot of {0} failed", PersistenceId));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => Log.Warning(f.Cause, "journal cleanup of {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => Log.Warning(f.Cause, "snapshot cleanup of {0} failed", PersistenceId));
    }

    /// <summary>The whole state, as the snapshot store keeps it.</summary>
    protected abstract object CurrentSnapshot();

    /// <summary>Call after applying each persisted event.</summary>
    protected void Persisted()
    {
        if (++_eventsSinceSnapshot < _snapshotEveryEvents) return;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(CurrentSnapshot());
    }

    /// <summary>A random delay in [0, upTo): spreads work (first map reads, refresh checks) of entities that start together.</summary>
    protected static TimeSpan RandomDelay(TimeSpan upTo) => TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * upTo.Ticks));
}
