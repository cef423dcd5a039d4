using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The segment file being written. Appends are staged in memory and written at <see cref="Flush"/>.
/// On Linux the file is opened for direct I/O (<c>O_DIRECT</c>), which skips the page cache: envelopes are written
/// once and rarely read (only by a pull), and copying each 14 KB envelope into the page cache — allocating,
/// dirtying and later freeing its pages — was most of what storing it cost (measured: about 5 % of the member's
/// CPU at saturation). Direct I/O needs whole blocks from aligned memory, so each flush pads its tail to
/// <see cref="DirectAlignment"/> with zeros, which no index row ever points at. Where direct I/O is refused (another
/// OS, a file system without it, a device) the file is written through the OS's cache as before.</summary>
internal sealed class SegmentFile : IDisposable
{
    public const int DirectAlignment = 4096;
    private const int InitialStagingBytes = 1024 * 1024;

    private readonly FileStream _file;
    private readonly int _alignment; // 1 when written through the cache
    private byte[] _staging = [];
    private GCHandle _pin;
    private int _start; // where the aligned staging area begins in _staging
    private int _capacity;
    private int _staged;
    private long _written; // bytes handed to the file (a multiple of _alignment)

    private SegmentFile(FileStream file, bool direct)
    {
        _file = file;
        _alignment = direct ? DirectAlignment : 1;
        _written = direct ? AlignUp(file.Length, DirectAlignment) : file.Length;
        Grow(InitialStagingBytes);
    }

    /// <summary>True when the file is written with direct I/O.</summary>
    public bool IsDirect => _alignment > 1;

    /// <summary>Where the next append lands: what the file holds plus what is staged.</summary>
    public long Position => _written + _staged;

    public static SegmentFile Open(string path) =>
        DirectIo.TryOpenForWriting(path) is { } direct
            ? new SegmentFile(new FileStream(direct, FileAccess.Write, bufferSize: 0), direct: true)
            : new SegmentFile(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0), direct: false);

    /// <summary>Stages the bytes; returns their offset in the file. Whole staged blocks are written early when the
    /// staging area fills up.</summary>
    public long Append(ReadOnlySpan<byte> bytes)
    {
        if (_staged + bytes.Length > _capacity)
        {
            WriteStaged(wholeBlocksOnly: true);
            if (_staged + bytes.Length > _capacity) Grow(AlignUp(_staged + bytes.Length, DirectAlignment) * 2);
        }
        var offset = Position;
        bytes.CopyTo(_staging.AsSpan(_start + _staged));
        _staged += bytes.Length;
        return offset;
    }

    /// <summary>Writes what is staged (padded to whole blocks under direct I/O); with <paramref name="toDisk"/> also
    /// asks the disk to keep it (fsync), which direct I/O alone does not promise for the file's size or the
    /// device's cache.</summary>
    public void Flush(bool toDisk = false)
    {
        WriteStaged(wholeBlocksOnly: false);
        if (toDisk) _file.Flush(flushToDisk: true);
    }

    private void WriteStaged(bool wholeBlocksOnly)
    {
        if (_staged == 0) return;
        var length = wholeBlocksOnly ? _staged / _alignment * _alignment : (int)AlignUp(_staged, _alignment);
        if (length == 0) return;
        _staging.AsSpan(_start + _staged, length - Math.Min(length, _staged)).Clear(); // the padding
        if (IsDirect) _file.Position = _written;
        _file.Write(_staging, _start, length);
        var left = Math.Max(0, _staged - length);
        _staging.AsSpan(_start + length, left).CopyTo(_staging.AsSpan(_start));
        _written += length;
        _staged = left;
    }

    /// <summary>A staging area of at least <paramref name="bytes"/> on the pinned object heap (it never moves, so the
    /// aligned start computed once stays aligned), keeping what is staged.</summary>
    private void Grow(long bytes)
    {
        var capacity = (int)AlignUp(bytes, DirectAlignment);
        var staging = GC.AllocateUninitializedArray<byte>(capacity + DirectAlignment, pinned: true);
        var pin = GCHandle.Alloc(staging, GCHandleType.Pinned);
        var start = (int)((DirectAlignment - pin.AddrOfPinnedObject() % DirectAlignment) % DirectAlignment);
        _staging.AsSpan(_start, _staged).CopyTo(staging.AsSpan(start));
        if (_pin.IsAllocated) _pin.Free();
        (_staging, _pin, _start, _capacity) = (staging, pin, start, capacity);
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    public void Dispose()
    {
        _file.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }

    /// <summary>Opening a file with <c>O_DIRECT</c>, which .NET's FileOptions cannot ask for.</summary>
    private static class DirectIo
    {
        private const int WriteOnly = 0x1, Create = 0x40, CloseOnExec = 0x80000;
        private const int UserReadWriteOthersRead = 420; // 0644

        public static SafeFileHandle? TryOpenForWriting(string path)
        {
            if (!OperatingSystem.IsLinux()) return null;
            var direct = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 or Architecture.X86 => 0x4000,
                Architecture.Arm64 or Architecture.Arm => 0x10000,
                _ => 0,
            };
            if (direct == 0) return null;
            try
            {
                var fd = open(path, WriteOnly | Create | CloseOnExec | direct, UserReadWriteOthersRead);
                return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null; // EINVAL: no direct I/O here
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
    }
}
