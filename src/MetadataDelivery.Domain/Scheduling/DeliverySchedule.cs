using MetadataDelivery.Domain.Collections;
using System.Runtime.CompilerServices;

namespace MetadataDelivery.Domain.Scheduling;

/// <summary>Slots (a <see cref="Partitions.NodeTable"/>'s node numbers) by due time: set, remove, and take what is
/// due, earliest first (equal times in slot order). Sized for millions of nodes: a due time and its slot are packed
/// into one ulong (milliseconds since the schedule's epoch in the high 40 bits, the slot in the low 24), kept in an
/// array heap, plus the slot's current entry in paged arrays; 16 bytes a node and no object per node. Re-scheduling
/// or removing a slot leaves its old heap entry behind, recognised as stale (no longer the slot's entry) when it
/// reaches the top and dropped. Due times are rounded up to the millisecond and "now" down, so nothing is taken early.</summary>
public sealed class DeliverySchedule
{
    private const int SlotBits = 24;
    private const ulong SlotMask = (1UL << SlotBits) - 1;
    private const ulong MaxMilliseconds = (1UL << (64 - SlotBits)) - 1;
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private const int FirstPageSize = 32;

    // The epoch lies 2^38 ms (8.7 years) before the schedule was made (pass the owner's clock): times from then to
    // 26 years after it are exact; earlier ones (long overdue) count as the epoch's first millisecond, never as 0,
    // which marks "not scheduled". A schedule lives as long as one incarnation of a partition.
    private readonly long _epochTicks;
    private const int MinHeap = 16;
    private ulong[] _heap = new ulong[MinHeap];
    private int _heapCount;
    private readonly List<ulong[]> _current = []; // per slot: its live entry, 0 when not scheduled

    public DeliverySchedule(DateTimeOffset createdAt) =>
        _epochTicks = createdAt.UtcTicks - (1L << 38) * TimeSpan.TicksPerMillisecond;

    public int Count { get; private set; }

    public void Set(int slot, DateTimeOffset due)
    {
        if ((uint)slot > SlotMask - 1) throw new ArgumentOutOfRangeException(nameof(slot));
        var entry = (DueMilliseconds(due) << SlotBits) | (uint)slot; // slot is checked non-negative above
        ref var current = ref Current(slot, grow: true);
        if (current == 0) Count++;
        current = entry;
        Push(entry);
        if (_heapCount > 2 * Count + 1024) Compact();
    }

    /// <summary>Sizes the per-slot entries for slots below <paramref name="slotCount"/> (a node table's
    /// <see cref="Partitions.NodeTable.SlotCount"/>) within the first page, by the rule of <see cref="FirstPage.Reserve"/>,
    /// instead of doubling as they are set.</summary>
    public void Reserve(int slotCount)
    {
        if (slotCount > 0) FirstPage.Reserve(_current, slotCount, PageSize, FirstPageSize);
    }

    public bool Remove(int slot)
    {
        ref var current = ref Current(slot, grow: false);
        if (Unsafe.IsNullRef(ref current) || current == 0) return false;
        current = 0;
        Count--;
        return true;
    }

    public bool TryGetDue(int slot, out DateTimeOffset due)
    {
        ref var current = ref Current(slot, grow: false);
        var found = !Unsafe.IsNullRef(ref current) && current != 0;
        due = found ? TimeOf(current) : default;
        return found;
    }

    public DateTimeOffset? NextDue
    {
        get
        {
            DropStaleTop();
            return _heapCount > 0 ? TimeOf(_heap[0]) : null;
        }
    }

    /// <summary>Removes and returns up to <paramref name="max"/> slots due at or before <paramref name="now"/>, earliest first.</summary>
    public List<int> TakeDue(DateTimeOffset now, int max)
    {
        var result = new List<int>();
        var limit = NowMilliseconds(now);
        while (result.Count < max && _heapCount > 0 && _heap[0] >> SlotBits <= limit)
        {
            var top = Pop();
            if (!IsCurrent(top)) continue;
            var slot = (int)(top & SlotMask);
            Current(slot, grow: false) = 0;
            Count--;
            result.Add(slot);
        }
        return result;
    }

    public void Clear()
    {
        _heapCount = 0;
        _current.Clear();
        Count = 0;
    }

    /// <summary>Bytes of the arrays, for measurements.</summary>
    public long AllocatedBytes => (_heap.Length + FirstPage.TotalLength(_current)) * sizeof(ulong);

    /// <summary>A due time in whole milliseconds, rounded up (at least 1, so no entry is 0).</summary>
    private ulong DueMilliseconds(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - _epochTicks;
        if (ticks <= 0) return 1;
        var ms = (ulong)ticks / TimeSpan.TicksPerMillisecond + ((ulong)ticks % TimeSpan.TicksPerMillisecond == 0 ? 0UL : 1UL);
        return Math.Clamp(ms, 1UL, MaxMilliseconds);
    }

    /// <summary>"Now" in whole milliseconds, rounded down: what is due at it is due by then.</summary>
    private ulong NowMilliseconds(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - _epochTicks;
        return ticks <= 0 ? 0 : Math.Min((ulong)ticks / TimeSpan.TicksPerMillisecond, MaxMilliseconds);
    }

    private DateTimeOffset TimeOf(ulong entry)
    {
        var ticks = _epochTicks + (long)(entry >> SlotBits) * TimeSpan.TicksPerMillisecond;
        return new DateTimeOffset(Math.Min(ticks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
    }

    private bool IsCurrent(ulong entry)
    {
        ref var current = ref Current((int)(entry & SlotMask), grow: false);
        return !Unsafe.IsNullRef(ref current) && current == entry;
    }

    /// <summary>The slot's live entry. The first page starts small and doubles up to a whole page as slots beyond it
    /// are scheduled, so that a partition of a few nodes does not hold three pages of 1,024 entries for them.</summary>
    private ref ulong Current(int slot, bool grow)
    {
        var page = slot >> PageBits;
        var offset = slot & (PageSize - 1);
        if (page >= _current.Count)
        {
            if (!grow) return ref Unsafe.NullRef<ulong>();
            while (_current.Count <= page) _current.Add(new ulong[_current.Count == 0 ? FirstPageSize : PageSize]);
        }
        var entries = _current[page];
        if (offset >= entries.Length) // only the first page is ever short
        {
            if (!grow) return ref Unsafe.NullRef<ulong>();
            entries = FirstPage.Grow(_current, offset + 1, PageSize);
        }
        return ref entries[offset];
    }

    private void DropStaleTop()
    {
        while (_heapCount > 0 && !IsCurrent(_heap[0])) Pop();
    }

    /// <summary>Rebuilds the heap from the live entries when stale ones outnumber them.</summary>
    private void Compact()
    {
        _heapCount = 0;
        foreach (var page in _current)
            foreach (var entry in page)
                if (entry != 0) _heap[_heapCount++] = entry;
        for (var i = _heapCount / 2 - 1; i >= 0; i--) SiftDown(i);
    }

    private void Push(ulong entry)
    {
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        var i = _heapCount++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_heap[parent] <= entry) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    private ulong Pop()
    {
        var top = _heap[0];
        _heap[0] = _heap[--_heapCount];
        if (_heapCount > 0) SiftDown(0);
        // A schedule that drained (the ready queue after a fan-out) gives its heap back instead of keeping its peak size.
        if (_heap.Length > MinHeap && _heapCount < _heap.Length / 4) Array.Resize(ref _heap, _heap.Length / 2);
        return top;
    }

    private void SiftDown(int i)
    {
        var entry = _heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _heapCount) break;
            if (child + 1 < _heapCount && _heap[child + 1] < _heap[child]) child++;
            if (_heap[child] >= entry) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = entry;
    }
}
