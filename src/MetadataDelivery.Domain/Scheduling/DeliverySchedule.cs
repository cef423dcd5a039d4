namespace MetadataDelivery.Domain.Scheduling;

/// <summary>Keys by due time: set, remove, and take what is due, earliest first (ties in the order they were set).
/// An array-based heap with lazy deletion: re-scheduling or removing a key leaves its old heap entry behind,
/// recognised as stale (its sequence number is no longer the key's) when it reaches the top. Per key that is
/// one heap slot and one dictionary entry, about half of a SortedSet node plus a dictionary entry; a partition
/// keeps two of these per node.</summary>
public sealed class DeliverySchedule<TKey> where TKey : notnull
{
    private readonly PriorityQueue<TKey, (long Ticks, long Seq)> _heap = new(PriorityComparer.Instance);
    private readonly Dictionary<TKey, (long Ticks, long Seq)> _entries = new();
    private long _seq;

    public int Count => _entries.Count;

    public void Set(TKey key, DateTimeOffset due)
    {
        var entry = (due.UtcTicks, ++_seq);
        _entries[key] = entry;
        _heap.Enqueue(key, entry);
        if (_heap.Count > 2 * _entries.Count + 1024) Compact();
    }

    public bool Remove(TKey key) => _entries.Remove(key);

    public bool TryGetDue(TKey key, out DateTimeOffset due)
    {
        if (_entries.TryGetValue(key, out var e)) { due = new DateTimeOffset(e.Ticks, TimeSpan.Zero); return true; }
        due = default;
        return false;
    }

    public DateTimeOffset? NextDue
    {
        get
        {
            DropStaleTop();
            return _heap.TryPeek(out _, out var top) ? new DateTimeOffset(top.Ticks, TimeSpan.Zero) : null;
        }
    }

    /// <summary>Removes and returns up to <paramref name="max"/> keys due at or before <paramref name="now"/>, earliest first.</summary>
    public List<TKey> TakeDue(DateTimeOffset now, int max)
    {
        var result = new List<TKey>();
        while (result.Count < max && _heap.TryPeek(out var key, out var top) && top.Ticks <= now.UtcTicks)
        {
            _heap.Dequeue();
            if (!IsCurrent(key, top)) continue;
            _entries.Remove(key);
            result.Add(key);
        }
        return result;
    }

    public void Clear() { _heap.Clear(); _entries.Clear(); }

    private bool IsCurrent(TKey key, (long Ticks, long Seq) heapEntry) => _entries.TryGetValue(key, out var e) && e.Seq == heapEntry.Seq;

    private void DropStaleTop()
    {
        while (_heap.TryPeek(out var key, out var top) && !IsCurrent(key, top)) _heap.Dequeue();
    }

    /// <summary>Rebuilds the heap from the live entries when stale ones outnumber them.</summary>
    private void Compact()
    {
        _heap.Clear();
        _heap.EnqueueRange(_entries.Select(kv => (kv.Key, kv.Value)));
    }

    private sealed class PriorityComparer : IComparer<(long Ticks, long Seq)>
    {
        public static readonly PriorityComparer Instance = new();
        public int Compare((long Ticks, long Seq) x, (long Ticks, long Seq) y)
        {
            var c = x.Ticks.CompareTo(y.Ticks);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}
