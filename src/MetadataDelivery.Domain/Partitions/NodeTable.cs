using System.Text;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.NodeMaps;

using MetadataDelivery.Domain.Collections;

namespace MetadataDelivery.Domain.Partitions;

/// <summary>A partition's nodes, stored by column so a member can hold millions: each node is a slot (an int)
/// with its <see cref="NodeRecord"/> in an array page, its id and address as UTF-8 in <see cref="NodeText"/>,
/// and an entry in an open-addressing index from id to slot. No object per node: about 130 bytes a node where
/// a dictionary of records with string keys took 450. Slots of removed nodes are reused; a slot is stable for
/// as long as its node stays, so schedules can key on it.</summary>
public sealed partial class NodeTable
{
    /// <summary>Slot numbers fit in 24 bits (the index and the schedules pack them with other bits).</summary>
    public const int MaxNodes = (1 << 24) - 2;

    private const int MaxIdLength = 256; // ids are validated to 128 characters long before they get here
    private const int PageBits = 9;
    private const int PageSize = 1 << PageBits;
    private const int FirstPageSlots = 16;
    private const int FreeSlot = -1;
    private const long CompactTextAfterGarbageBytes = 1 << 20;

    private readonly List<NodeRecord[]> _records = [];
    private readonly List<int[]> _textOf = []; // each slot's entry in _text, or FreeSlot
    private readonly Stack<int> _freeSlots = new();
    private NodeText _text = new();
    private int _slotCount;

    public int Count { get; private set; }

    /// <summary>One past the highest slot in use: the size for side arrays indexed by slot.</summary>
    public int SlotCount => _slotCount;

    public bool TryGetSlot(string id, out int slot)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(id.Length, MaxIdLength))];
        if (!TryEncode(id, utf8, out var length)) { slot = -1; return false; }
        var position = FindPosition(utf8[..length], Hash(utf8[..length]));
        slot = position < 0 ? -1 : SlotAt(position);
        return position >= 0;
    }

    public bool Contains(string id) => TryGetSlot(id, out _);

    /// <summary>The slot's record (read-only; records change through <see cref="Apply"/>).</summary>
    public ref readonly NodeRecord this[int slot] => ref RecordAt(slot);

    public bool TryGetValue(string id, out NodeRecord record)
    {
        var found = TryGetSlot(id, out var slot);
        record = found ? RecordAt(slot) : default;
        return found;
    }

    public bool IsLive(int slot) => slot >= 0 && slot < _slotCount && TextOf(slot) != FreeSlot;
    public string IdOf(int slot) => Encoding.UTF8.GetString(_text.Id(TextOf(slot)));
    public string AddressOf(int slot) => Encoding.UTF8.GetString(_text.Address(TextOf(slot)));

    public bool HasAddress(int slot, string address)
    {
        var stored = _text.Address(TextOf(slot));
        if (stored.Length != Encoding.UTF8.GetByteCount(address)) return false;
        Span<byte> utf8 = stored.Length <= 1024 ? stackalloc byte[stored.Length] : new byte[stored.Length];
        Encoding.UTF8.GetBytes(address, utf8);
        return stored.SequenceEqual(utf8);
    }

    /// <summary>The live slots, in slot order.</summary>
    public IEnumerable<int> Slots
    {
        get
        {
            for (var slot = 0; slot < _slotCount; slot++)
                if (TextOf(slot) != FreeSlot) yield return slot;
        }
    }

    /// <summary>Adds the node, or replaces what is known of it (a fresh record, the given address).</summary>
    public int Set(string id, string address, DateTimeOffset addedAt)
    {
        if (TryGetSlot(id, out var slot))
        {
            SetAddress(slot, address);
            RecordAt(slot) = new NodeRecord(addedAt);
            return slot;
        }
        if (Count >= MaxNodes) throw new InvalidOperationException($"a node partition holds at most {MaxNodes:N0} nodes");
        if (id.Length > MaxIdLength) throw new ArgumentException($"node id longer than {MaxIdLength} characters", nameof(id));
        slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : NewSlot();
        TextOf(slot) = _text.Append(id, address);
        RecordAt(slot) = new NodeRecord(addedAt);
        Count++;
        Insert(slot);
        return slot;
    }

    /// <summary>Makes room for a slice about to be applied: slots for its <paramref name="newcomers"/>, text for them
    /// and for the new addresses of <paramref name="readdressed"/> nodes, so that a partition that stops growing holds
    /// its nodes, not the next power of two of them (see <see cref="FirstPage.Reserve"/>). Only a first page is sized.</summary>
    public void Reserve(IReadOnlyCollection<NodeEntry> newcomers, IReadOnlyCollection<NodeEntry> readdressed) =>
        Reserve(newcomers.Count, newcomers.Concat(readdressed).Select(n => (n.Id, n.Address)));

    /// <summary>Makes room for <paramref name="newcomers"/> more nodes and the <paramref name="texts"/> about to be stored.</summary>
    public void Reserve(int newcomers, IEnumerable<(string Id, string Address)> texts)
    {
        if (newcomers > 0)
        {
            var slots = _slotCount + Math.Max(0, newcomers - _freeSlots.Count);
            var filled = _textOf.Count == 0 ? 0 : _textOf[0].Length;
            FirstPage.Reserve(_records, slots, PageSize, FirstPageSlots);
            MarkFree(FirstPage.Reserve(_textOf, slots, PageSize, FirstPageSlots), filled);
        }
        if (!_text.HasOnlyFirstPage) return;
        var textBytes = 0;
        foreach (var (id, address) in texts)
            if ((textBytes += NodeText.EntryBytes(id, address)) >= NodeText.PageSize) break; // a whole page: no need to count on
        if (textBytes > 0) _text.Reserve(textBytes);
    }

    public bool Remove(string id)
    {
        if (!TryGetSlot(id, out var slot)) return false;
        RemoveFromIndex(slot);
        _text.Release(TextOf(slot));
        TextOf(slot) = FreeSlot;
        RecordAt(slot) = default;
        _freeSlots.Push(slot);
        Count--;
        CompactTextIfWasteful();
        return true;
    }

    public void SetAddress(int slot, string address)
    {
        if (HasAddress(slot, address)) return;
        var old = TextOf(slot);
        TextOf(slot) = _text.Append(_text.Id(old).ToArray(), Encoding.UTF8.GetBytes(address));
        _text.Release(old);
        CompactTextIfWasteful();
    }

    /// <summary>Applies an outcome to its node's record; false when the node is not here (it left).</summary>
    public bool Apply(DeliveryOutcome outcome)
    {
        if (!TryGetSlot(outcome.Node, out var slot)) return false;
        RecordAt(slot).Apply(outcome);
        return true;
    }

    public void Clear()
    {
        _records.Clear();
        _textOf.Clear();
        _freeSlots.Clear();
        _text = new NodeText();
        _slotCount = 0;
        Count = 0;
        ClearIndex();
    }

    /// <summary>What changes when this table's nodes become exactly <paramref name="next"/>.</summary>
    public NodeMapDiff Diff(IReadOnlyList<NodeEntry> next)
    {
        var added = new List<NodeEntry>();
        var readdressed = new List<NodeEntry>();
        var seen = new bool[_slotCount];
        foreach (var node in next)
        {
            if (!TryGetSlot(node.Id, out var slot)) { added.Add(node); continue; }
            seen[slot] = true;
            if (!HasAddress(slot, node.Address)) readdressed.Add(node);
        }
        var removed = new List<string>();
        foreach (var slot in Slots) if (!seen[slot]) removed.Add(IdOf(slot));
        return new NodeMapDiff(added, removed, readdressed);
    }

    /// <summary>Managed bytes this table holds (arrays and text pages, not counting side objects), for measurements.</summary>
    public long AllocatedBytes =>
        FirstPage.TotalLength(_records) * (System.Runtime.CompilerServices.Unsafe.SizeOf<NodeRecord>() + sizeof(int)) + _text.AllocatedBytes + IndexBytes;

    private ref NodeRecord RecordAt(int slot) => ref _records[slot >> PageBits][slot & (PageSize - 1)];
    private ref int TextOf(int slot) => ref _textOf[slot >> PageBits][slot & (PageSize - 1)];

    /// <summary>A new slot at the end. The first page starts small and doubles up to a whole page, so that a partition
    /// of a few nodes (a small service) does not hold a page of 512 records for them; later pages are whole.</summary>
    private int NewSlot()
    {
        var page = _slotCount >> PageBits;
        var offset = _slotCount & (PageSize - 1);
        if (page == _records.Count)
        {
            var size = page == 0 ? FirstPageSlots : PageSize;
            _records.Add(new NodeRecord[size]);
            var text = new int[size];
            MarkFree(text, 0);
            _textOf.Add(text);
        }
        else if (offset == _records[page].Length) // only the first page is ever short
        {
            FirstPage.Grow(_records, offset + 1, PageSize);
            MarkFree(FirstPage.Grow(_textOf, offset + 1, PageSize), offset);
        }
        return _slotCount++;
    }

    /// <summary>Marks the slots a new or grown text-reference page holds from <paramref name="from"/> on as free.</summary>
    private static void MarkFree(int[] textOf, int from) => Array.Fill(textOf, FreeSlot, from, textOf.Length - from);

    /// <summary>Copies the live text to a fresh arena once more than half of it is garbage (removed nodes, old addresses).</summary>
    private void CompactTextIfWasteful()
    {
        if (_text.GarbageBytes < CompactTextAfterGarbageBytes || _text.GarbageBytes * 2 < _text.UsedBytes) return;
        var fresh = new NodeText();
        foreach (var slot in Slots) TextOf(slot) = fresh.Append(_text.Id(TextOf(slot)), _text.Address(TextOf(slot)));
        _text = fresh;
    }

    private static bool TryEncode(string s, Span<byte> into, out int length)
    {
        length = 0;
        return s.Length <= MaxIdLength && Encoding.UTF8.TryGetBytes(s, into, out length);
    }
}
