using Akka.Actor;
using Akka.Event;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>The member's budget of delivery attempts in flight (<c>Mds:Delivery:MaxAttemptsInFlight</c>), over all
/// its partitions. A partition takes a slot before it spawns an attempt's child, and the attempt gives it back when
/// it ends. A partition that found no slot asks to be told when one frees: attempts beyond the budget wait as
/// entries of their partition's ready queue instead of as actors holding a task, a timer and a cancellation source
/// each (measured at saturation: 2,048 of 2,560 children were waiting). Freed slots go to the waiting partition
/// whose most urgent node has the earliest deadline, so earliest-deadline-first holds across the member's
/// partitions too (first come, first served between equal deadlines).</summary>
public sealed class AttemptBudget(int limit)
{
    private readonly PriorityQueue<ICanTell, (DateTimeOffset Deadline, long Sequence)> _waiting = new();
    private readonly Lock _waitingLock = new();
    private long _sequence;
    private int _waitingCount;
    private int _inUse;

    public int Limit { get; } = Math.Max(1, limit);
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Takes up to <paramref name="wanted"/> slots; returns how many it took (0 when the budget is spent).</summary>
    public int TryTake(int wanted)
    {
        while (true)
        {
            var used = Volatile.Read(ref _inUse);
            var granted = Math.Min(wanted, Limit - used);
            if (granted <= 0) return 0;
            if (Interlocked.CompareExchange(ref _inUse, used + granted, used) == used) return granted;
        }
    }

    /// <summary>A slot even beyond the limit: a forced delivery, which an operator asked for, never waits.</summary>
    public void TakeBeyondLimit() => Interlocked.Increment(ref _inUse);

    public void Release()
    {
        Interlocked.Decrement(ref _inUse);
        WakeNextIfFree();
    }

    /// <summary>Sends <see cref="AttemptSlotFreed"/> to <paramref name="waiter"/> once a slot frees for it (or at once if
    /// one is free already); <paramref name="deadline"/> is that of its most urgent waiting node. A waiter that uses no
    /// slot when told must call <see cref="WakeNextIfFree"/>, so that the slot goes on to the next one. A waiter that
    /// says it is <paramref name="alreadyWaiting"/> keeps one place: asking again with an earlier deadline (a more urgent
    /// node became ready) moves it up. (Only then is its old place looked for: that is a scan of the queue.)</summary>
    public void NotifyWhenFree(ICanTell waiter, DateTimeOffset deadline, bool alreadyWaiting = false)
    {
        lock (_waitingLock)
        {
            var priority = (deadline, _sequence++);
            if (alreadyWaiting && _waiting.Remove(waiter, out _, out var queued) && queued.Deadline <= deadline) priority = queued;
            _waiting.Enqueue(waiter, priority);
            _waitingCount = _waiting.Count;
        }
        WakeNextIfFree(); // a slot that freed between the waiter's TryTake and its enqueue would wake nobody
    }

    public void WakeNextIfFree()
    {
        if (Volatile.Read(ref _waitingCount) == 0 || InUse >= Limit) return;
        ICanTell? next;
        lock (_waitingLock)
        {
            if (!_waiting.TryDequeue(out next, out _)) return;
            _waitingCount = _waiting.Count;
        }
        next.Tell(AttemptSlotFreed.Instance, ActorRefs.NoSender);
    }
}

/// <summary>To a partition that asked <see cref="AttemptBudget.NotifyWhenFree"/>: a slot of the member's budget freed.
/// One sent to a partition that stopped meanwhile is not worth a dead-letter log line.</summary>
public sealed class AttemptSlotFreed : IDeadLetterSuppression
{
    public static readonly AttemptSlotFreed Instance = new();
    private AttemptSlotFreed() { }
}
