namespace MetadataDelivery.Domain.Partitions;

// The id → slot index: open addressing with linear probing over one uint array (no object per node). An entry
// is (the hash's top 8 bits << 24) | (slot + 1), 0 when empty; the 8 bits rule out most mismatches without
// reading the id. Removal shifts the following entries back instead of leaving tombstones.
public sealed partial class NodeTable
{
    private const int SlotBits = 24;
    private const uint SlotMask = (1u << SlotBits) - 1;
    private const double MaxLoad = 0.8;

    private uint[] _index = new uint[16];

    private long IndexBytes => _index.Length * (long)sizeof(uint);

    private static int Hash(ReadOnlySpan<byte> id)
    {
        var hash = new HashCode();
        hash.AddBytes(id);
        return hash.ToHashCode();
    }

    private static uint Tag(int hash) => (uint)hash >> SlotBits;
    private static int SlotOf(uint entry) => (int)(entry & SlotMask) - 1;
    private int SlotAt(int position) => SlotOf(_index[position]);

    private int FindPosition(ReadOnlySpan<byte> id, int hash)
    {
        var mask = _index.Length - 1;
        var tag = Tag(hash);
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var entry = _index[i];
            if (entry == 0) return -1;
            if (entry >> SlotBits == tag && _text.Id(TextOf(SlotOf(entry))).SequenceEqual(id)) return i;
        }
    }

    /// <summary>Indexes a slot whose id is not indexed yet (Count already includes it).</summary>
    private void Insert(int slot)
    {
        if (Count > _index.Length * MaxLoad) Resize(_index.Length * 2);
        Place(_index, slot);
    }

    private void Place(uint[] index, int slot)
    {
        var hash = Hash(_text.Id(TextOf(slot)));
        var mask = index.Length - 1;
        var i = hash & mask;
        while (index[i] != 0) i = (i + 1) & mask;
        index[i] = (Tag(hash) << SlotBits) | (uint)(slot + 1);
    }

    private void Resize(int capacity)
    {
        var old = _index;
        _index = new uint[capacity];
        foreach (var entry in old) if (entry != 0) Place(_index, SlotOf(entry));
    }

    private void RemoveFromIndex(int slot)
    {
        var mask = _index.Length - 1;
        var id = _text.Id(TextOf(slot));
        var hole = FindPosition(id, Hash(id));
        // Backward shift: move later entries of the same probe run into the hole when their home is not between it and them.
        for (var j = (hole + 1) & mask; _index[j] != 0; j = (j + 1) & mask)
        {
            var home = Hash(_text.Id(TextOf(SlotAt(j)))) & mask;
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            _index[hole] = _index[j];
            hole = j;
        }
        _index[hole] = 0;
    }

    private void ClearIndex() => _index = new uint[16];
}
