using System.Buffers.Binary;
using MetadataDelivery.Domain.Collections;
using System.Text;

namespace MetadataDelivery.Domain.Partitions;

/// <summary>The ids and addresses of a <see cref="NodeTable"/>'s nodes as UTF-8 in 64 KB pages, about 30 bytes
/// a node instead of two strings (about 100). An entry is [id length:2][address length:2][id][address] and
/// never spans pages; it is referred to by an int (page &lt;&lt; 16 | offset). Entries are never changed in place:
/// a new address appends a new entry, and what the old one used is counted as garbage until the table
/// compacts (copies the live entries to a fresh arena).</summary>
internal sealed class NodeText
{
    private const int PageBits = 16;
    public const int PageSize = 1 << PageBits;
    private const int HeaderBytes = 4;

    private const int FirstPageBytes = 1024;

    // The first page starts small and doubles up to PageSize (copied: offsets stay valid), so that a table of a few
    // nodes holds about what they need; later pages are whole.
    private readonly List<byte[]> _pages = [];
    private int _position; // in the last page

    /// <summary>Bytes held by entries no longer referred to.</summary>
    public long GarbageBytes { get; private set; }
    public long UsedBytes { get; private set; }

    public int Append(string id, string address)
    {
        var maxIdBytes = Encoding.UTF8.GetMaxByteCount(id.Length);
        Span<byte> idBytes = maxIdBytes <= 1024 ? stackalloc byte[maxIdBytes] : new byte[maxIdBytes];
        var idLength = Encoding.UTF8.GetBytes(id, idBytes);
        var addressLength = Encoding.UTF8.GetByteCount(address);
        var at = Reserve(idLength, addressLength);
        var page = _pages[at >> PageBits].AsSpan(at & (PageSize - 1));
        idBytes[..idLength].CopyTo(page[HeaderBytes..]);
        Encoding.UTF8.GetBytes(address, page[(HeaderBytes + idLength)..]);
        return at;
    }

    public int Append(ReadOnlySpan<byte> id, ReadOnlySpan<byte> address)
    {
        var at = Reserve(id.Length, address.Length);
        var page = _pages[at >> PageBits].AsSpan(at & (PageSize - 1));
        id.CopyTo(page[HeaderBytes..]);
        address.CopyTo(page[(HeaderBytes + id.Length)..]);
        return at;
    }

    /// <summary>The bytes an entry for this id and address takes.</summary>
    public static int EntryBytes(string id, string address) =>
        HeaderBytes + Encoding.UTF8.GetByteCount(id) + Encoding.UTF8.GetByteCount(address);

    /// <summary>No page, or the first only: what <see cref="Reserve"/> can still size.</summary>
    public bool HasOnlyFirstPage => _pages.Count <= 1;

    /// <summary>Sizes the first page to hold <paramref name="bytes"/> more (up to a page); see <see cref="NodeTable.Reserve"/>.</summary>
    public void Reserve(int bytes)
    {
        if (HasOnlyFirstPage) FirstPage.Reserve(_pages, _position + bytes, PageSize, FirstPageBytes); // _position is 0 while there is no page
    }

    public ReadOnlySpan<byte> Id(int at)
    {
        var entry = Entry(at);
        return entry.Slice(HeaderBytes, BinaryPrimitives.ReadUInt16LittleEndian(entry));
    }

    public ReadOnlySpan<byte> Address(int at)
    {
        var entry = Entry(at);
        var idLength = BinaryPrimitives.ReadUInt16LittleEndian(entry);
        return entry.Slice(HeaderBytes + idLength, BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]));
    }

    public void Release(int at)
    {
        var entry = Entry(at);
        GarbageBytes += HeaderBytes + BinaryPrimitives.ReadUInt16LittleEndian(entry) + BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
    }

    public long AllocatedBytes => FirstPage.TotalLength(_pages);

    private ReadOnlySpan<byte> Entry(int at) => _pages[at >> PageBits].AsSpan(at & (PageSize - 1));

    private int Reserve(int idLength, int addressLength)
    {
        if (idLength > ushort.MaxValue || addressLength > ushort.MaxValue || HeaderBytes + idLength + addressLength > PageSize)
            throw new ArgumentException("node id or address too long for the node table");
        var size = HeaderBytes + idLength + addressLength;
        if (_pages.Count == 0)
            _pages.Add(new byte[FirstPage.GrownLength(FirstPageBytes / 2, size, PageSize)]); // at least FirstPageBytes
        else if (_position + size > _pages[^1].Length)
        {
            if (_pages.Count == 1 && _position + size <= PageSize)
                FirstPage.Grow(_pages, _position + size, PageSize);
            else
            {
                if (_pages.Count >= 1 << (31 - PageBits)) throw new InvalidOperationException("node table text is full");
                _pages.Add(new byte[PageSize]);
                _position = 0;
            }
        }
        var at = ((_pages.Count - 1) << PageBits) | _position;
        var header = _pages[^1].AsSpan(_position);
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)idLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)addressLength);
        _position += size;
        UsedBytes += size;
        return at;
    }
}
