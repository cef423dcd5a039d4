namespace MetadataDelivery.Domain.Scheduling;

/// <summary>An earliest-deadline-first queue with one entry per key: setting a key moves it.</summary>
public sealed class DeliverySchedule<TKey> where TKey : notnull
{
    private readonly SortedSet<(long Ticks, long Seq, TKey Key)> _queue = new(EntryComparer.Instance);
    private readonly Dictionary<TKey, (long Ticks, long Seq)> _entries = new();
    private long _seq;

    public int Count => _entries.Count;

    public void Set(TKey key, DateTimeOffset due)
    {
        Remove(key);
        var entry = (due.UtcTicks, ++_seq);
        _entries[key] = entry;
        _queue.Add((entry.UtcTicks, entry.Item2, key));
    }

    public bool Remove(TKey key)
    {
        if (!_entries.Remove(key, out var entry)) return false;
        _queue.Remove((entry.Ticks, entry.Seq, key));
        return true;
    }

    public bool TryGetDue(TKey key, out DateTimeOffset due)
    {
        if (_entries.TryGetValue(key, out var e)) { due = new DateTimeOffset(e.Ticks, TimeSpan.Zero); return true; }
        due = default;
        return false;
    }

    public DateTimeOffset? NextDue => _queue.Count == 0 ? null : new DateTimeOffset(_queue.Min.Ticks, TimeSpan.Zero);

    /// <summary>Removes and returns up to <paramref name="max"/> keys due at or before <paramref name="now"/>, earliest first.</summary>
    public List<TKey> TakeDue(DateTimeOffset now, int max)
    {
        var result = new List<TKey>();
        while (result.Count < max && _queue.Count > 0 && _queue.Min.Ticks <= now.UtcTicks)
        {
            var min = _queue.Min;
            _queue.Remove(min);
            _entries.Remove(min.Key);
            result.Add(min.Key);
        }
        return result;
    }

    public void Clear() { _queue.Clear(); _entries.Clear(); }

    private sealed class EntryComparer : IComparer<(long Ticks, long Seq, TKey Key)>
    {
        public static readonly EntryComparer Instance = new();
        public int Compare((long Ticks, long Seq, TKey Key) x, (long Ticks, long Seq, TKey Key) y)
        {
            var c = x.Ticks.CompareTo(y.Ticks);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}
