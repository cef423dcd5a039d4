using Akka.Actor;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Partitions;

namespace MetadataDelivery.Engine.Services;

// Directing the node partitions: configuration (resent until acknowledged), counts, node reads.
public sealed partial class ServiceActor
{
    private sealed record ResendToPartitions { public static readonly ResendToPartitions Instance = new(); }
    private sealed record ViewWaitOver { public static readonly ViewWaitOver Instance = new(); }

    private static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ViewWaitLimit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(8);

    private readonly List<long> _configAcked = [];          // per partition: the configuration version it acknowledged
    private readonly List<NodeCounts?> _partitionCounts = []; // per partition: its last reported counts
    private readonly List<IActorRef> _viewWaiters = [];
    private bool _passivateWhenRetired;

    private IActorRef Partitions => _services.PartitionRegion();


    private PartitionKey PartitionAt(int index) => new(Key, index);
    private PartitionKey PartitionOfNode(string node) => new(Key, NodePartitioning.PartitionOf(node, _state.PartitionCount));

    private void RegisterPartitionHandlers()
    {
        Command<PartitionConfigAcked>(ack =>
        {
            Track(ack.Index);
            if (ack.Version > _configAcked[ack.Index]) _configAcked[ack.Index] = ack.Version;
            CountsReported(ack.Index, ack.Counts);
            if (!_state.IsRegistered && !ConfigurationPending) OnAllRetired();
        });
        Command<NodeSliceAcked>(ack =>
        {
            Track(ack.Index);
            CountsReported(ack.Index, ack.Counts);
            OnSliceAcked(ack);
        });
        Command<PartitionCountsChanged>(report =>
        {
            Track(report.Index);
            CountsReported(report.Index, report.Counts);
        });
        Command<ResendToPartitions>(_ =>
        {
            SendConfiguration();
            ResendSlices();
            if (!ConfigurationPending && _distribution is null) Timers.Cancel("resend");
        });
        Command<ViewWaitOver>(_ => FlushViewWaiters());
    }

    private void Track(int index)
    {
        while (_configAcked.Count <= index) { _configAcked.Add(0); _partitionCounts.Add(null); }
    }

    private bool ConfigurationPending
    {
        get
        {
            for (var p = 0; p < _state.PartitionCount; p++)
                if (p >= _configAcked.Count || _configAcked[p] < _state.ConfigVersion) return true;
            return false;
        }
    }

    /// <summary>Sends the current configuration (or, once deleted, the retirement) to every partition that has
    /// not acknowledged it, and keeps resending until each has.</summary>
    private void SendConfiguration()
    {
        var partitions = _state.PartitionCount;
        Track(partitions - 1);
        var previous = _state.PreviousSecrets.ToList();
        for (var p = 0; p < partitions; p++)
            if (_configAcked[p] < _state.ConfigVersion)
                Partitions.Tell(new ConfigurePartition(PartitionAt(p), _state.ConfigVersion, _state.Spec, _state.Secret, previous), Self);
        if (ConfigurationPending) ArmResend();
    }

    private void ArmResend()
    {
        if (!Timers.IsTimerActive("resend")) Timers.StartPeriodicTimer("resend", ResendToPartitions.Instance, ResendInterval);
    }

    /// <summary>Stops this entity once every partition knows the service is gone; until then it keeps telling them.</summary>
    private void PassivateOnceRetired()
    {
        if (_state.IsFullyRetired || !ConfigurationPending) { OnAllRetired(force: true); return; }
        _passivateWhenRetired = true;
        SendConfiguration();
    }

    /// <summary>Journals that the partitions are retired (so later reads of the deleted name do not wake them all
    /// again), then passivates if asked to.</summary>
    private void OnAllRetired(bool force = false)
    {
        if (!force && !_passivateWhenRetired) return;
        _passivateWhenRetired = false;
        if (_state.IsFullyRetired) { Passivate(); return; }
        var version = _state.ConfigVersion;
        Persist(new PartitionsRetired(version, Now), e =>
        {
            _state.Apply(e);
            Persisted();
            if (!_state.IsRegistered) Passivate(); // unless the name was registered again meanwhile
        });
    }

    private void CountsReported(int index, NodeCounts counts)
    {
        _partitionCounts[index] = counts;
        if (_viewWaiters.Count > 0 && AllCountsKnown) FlushViewWaiters();
    }

    private bool AllCountsKnown
    {
        get
        {
            for (var p = 0; p < _state.PartitionCount; p++)
                if (p >= _partitionCounts.Count || _partitionCounts[p] is null) return false;
            return true;
        }
    }

    private NodeCounts SummedCounts() => NodeCounts.Sum(_partitionCounts.Take(_state.PartitionCount).OfType<NodeCounts>());

    /// <summary>Right after a (re)start the partitions have not reported yet: wait briefly for them rather than
    /// answer with counts that are too low.</summary>
    private void ReplyWithView(IActorRef replyTo)
    {
        if (AllCountsKnown) { replyTo.Tell(View()); return; }
        _viewWaiters.Add(replyTo);
        if (!Timers.IsTimerActive("view-wait")) Timers.StartSingleTimer("view-wait", ViewWaitOver.Instance, ViewWaitLimit);
    }

    private void FlushViewWaiters()
    {
        if (_viewWaiters.Count == 0) return;
        Timers.Cancel("view-wait");
        object reply = _state.IsRegistered ? View() : new ServiceNotFound(Key);
        foreach (var waiter in _viewWaiters) waiter.Tell(reply);
        _viewWaiters.Clear();
    }

    private void LocateAllPartitions(IActorRef replyTo)
    {
        var key = Key;
        AskEveryPartition<PartitionLocation>(p => new LocatePartition(p), locations => new PartitionPlacement(key, locations), replyTo);
    }

    /// <summary>A page of nodes across all partitions: each returns its first page after the cursor, merged by node id.</summary>
    private void ListAcrossPartitions(ListNodes cmd, IActorRef replyTo)
    {
        var limit = Math.Clamp(cmd.Limit, 1, 1000);
        AskEveryPartition<NodeList>(p => new ListPartitionNodes(p, cmd.State, limit, cmd.Cursor), pages => NodePages.Merge(pages, limit), replyTo);
    }

    /// <summary>Asks every partition at once and answers <paramref name="replyTo"/> with the combined replies, or with
    /// "busy" when one does not answer in time. The combining runs off the actor, so it must not touch its state.</summary>
    private void AskEveryPartition<TReply>(Func<PartitionKey, IPartitionCommand> question, Func<TReply[], object> combine, IActorRef replyTo)
    {
        var partitions = Partitions;
        var key = Key;
        var asks = Enumerable.Range(0, _state.PartitionCount).Select(p => partitions.Ask<TReply>(question(PartitionAt(p)), ListTimeout)).ToList();
        Task.WhenAll(asks).ContinueWith(t => t.IsCompletedSuccessfully
                ? combine(t.Result)
                : new ServiceBusy(key, "Not every node partition answered in time; the cluster may be rebalancing. Retry shortly."))
            .PipeTo(replyTo);
    }
}
