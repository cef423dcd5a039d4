using System.Text;

namespace MetadataDelivery.Domain.Partitions;

public sealed partial class NodeTable
{
    /// <summary>The first <paramref name="count"/> live nodes, in id order, whose ids sort after <paramref name="after"/>
    /// (from the start when null) and that <paramref name="include"/> accepts: their slots. Ids compare by their UTF-8
    /// bytes, which for the ASCII ids node maps allow is ordinal order (<see cref="string.CompareOrdinal(string, string)"/>).
    /// No id string is built: a page of a big partition costs one pass over its slots and a heap of
    /// <paramref name="count"/> slots, not a sorted copy of every id.</summary>
    public List<int> FirstSlotsAfter(string? after, int count, Func<int, bool>? include = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return [];
        var cursor = after is null ? null : Encoding.UTF8.GetBytes(after);
        // The best `count` so far as a max-heap by id: the one that sorts last is on top, so a better one replaces it.
        var heap = new int[count];
        var size = 0;
        for (var slot = 0; slot < _slotCount; slot++)
        {
            var text = TextOf(slot);
            if (text == FreeSlot) continue;
            var id = _text.Id(text);
            if (cursor is not null && id.SequenceCompareTo(cursor) <= 0) continue;
            if (include is not null && !include(slot)) continue;
            if (size < count) { heap[size] = slot; SiftUp(heap, size++); }
            else if (id.SequenceCompareTo(IdAt(heap[0])) < 0) { heap[0] = slot; SiftDown(heap, size); }
        }
        var slots = new List<int>(size);
        while (size > 0)
        {
            slots.Add(heap[0]);
            heap[0] = heap[--size];
            SiftDown(heap, size);
        }
        slots.Reverse();
        return slots;
    }

    private ReadOnlySpan<byte> IdAt(int slot) => _text.Id(TextOf(slot));

    private void SiftUp(int[] heap, int at)
    {
        var slot = heap[at];
        var id = IdAt(slot);
        while (at > 0)
        {
            var parent = (at - 1) / 2;
            if (IdAt(heap[parent]).SequenceCompareTo(id) >= 0) break;
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = slot;
    }

    private void SiftDown(int[] heap, int size)
    {
        if (size == 0) return;
        var slot = heap[0];
        var id = IdAt(slot);
        var at = 0;
        while (true)
        {
            var child = 2 * at + 1;
            if (child >= size) break;
            var childId = IdAt(heap[child]);
            if (child + 1 < size && IdAt(heap[child + 1]) is var right && right.SequenceCompareTo(childId) > 0) { child++; childId = right; }
            if (childId.SequenceCompareTo(id) <= 0) break;
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = slot;
    }
}
