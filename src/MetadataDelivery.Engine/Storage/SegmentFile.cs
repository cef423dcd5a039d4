using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The segment file being written. Appends are staged in memory and written at <see cref="Flush"/>.
/// On 64-bit Linux the file is opened for direct I/O (<c>O_DIRECT</c>), which skips the page cache: envelopes are
/// written once and rarely read (only by a pull), and copying each 14 KB envelope into the page cache — allocating,
/// dirtying and later freeing its pages — was most of what writing it cost (perf, system-wide at saturation:
/// pwrite 2.7 % of the CPU before, 1.3 % after with SQLite's own writes; the store's writer 4.7 % → 3.1 %).
/// <para>Direct I/O writes whole blocks from aligned memory at aligned offsets. Appends stay packed back to back:
/// a flush writes the staged bytes up to the end of their last block (padded with zeros) and keeps that last,
/// partial block staged, so the next flush writes it again with the bytes appended after it. The rewritten part
/// is byte for byte what the block held, so a write torn by a crash cannot damage an envelope already indexed.
/// The file thus holds the appended bytes plus less than one block.</para>
/// <para>Where direct I/O is refused — another OS, a file system without it, a device, a write it rejects — the
/// file is written through the OS's cache, as it was before.</para></summary>
internal sealed class SegmentFile : IDisposable
{
    private const int InitialStagingBytes = 1024 * 1024;

    /// <summary>Block size of direct writes: the page size, at least 4 KB. Whole pages also keep buffered reads
    /// of the same file (pulls) from caching a page a later direct write changes.</summary>
    public static int DirectAlignment { get; } = Math.Max(4096, Environment.SystemPageSize);

    private readonly string _path;
    private FileStream _file;
    private int _alignment; // 1 when written through the cache
    private byte[] _staging = [];
    private int _start; // where the aligned staging area begins in _staging
    private int _capacity;
    private int _staged;
    private long _written; // where the staged bytes begin in the file (a multiple of _alignment)

    private SegmentFile(string path, FileStream file, int alignment)
    {
        _path = path;
        _file = file;
        _alignment = alignment;
        _written = AlignUp(file.Length, alignment);
        Grow(InitialStagingBytes);
    }

    /// <summary>True when the file is written with direct I/O.</summary>
    public bool IsDirect => _alignment > 1;

    /// <summary>True when the file was opened for direct I/O but a write was rejected as unsupported: it went on
    /// through the cache, and so should later files in the same place.</summary>
    public bool DirectRejected { get; private set; }

    /// <summary>Where the next append lands: what the file holds plus what is staged.</summary>
    public long Position => _written + _staged;

    /// <param name="direct">false: through the OS's cache (<c>Mds:Persistence:DirectIo=false</c>).</param>
    /// <param name="alignment">tests only: a block size for direct writes other than <see cref="DirectAlignment"/>.</param>
    public static SegmentFile Open(string path, bool direct = true, int? alignment = null)
    {
        var handle = direct ? DirectIo.TryOpenForWriting(path) : null;
        var file = handle is not null
            ? new FileStream(handle, FileAccess.Write, bufferSize: 0)
            : OpenBuffered(path);
        try { return new SegmentFile(path, file, handle is null ? 1 : alignment ?? DirectAlignment); }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static FileStream OpenBuffered(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);

    /// <summary>Stages the bytes; returns their offset in the file. Whole staged blocks are written early when the
    /// staging area fills up.</summary>
    public long Append(ReadOnlySpan<byte> bytes)
    {
        if (_staged + bytes.Length > _capacity)
        {
            WriteStaged(final: false);
            if (_staged + bytes.Length > _capacity) Grow(2L * (_staged + bytes.Length));
        }
        var offset = Position;
        bytes.CopyTo(_staging.AsSpan(_start + _staged));
        _staged += bytes.Length;
        return offset;
    }

    /// <summary>Writes what is staged; with <paramref name="toDisk"/> also asks the disk to keep it (fsync), which
    /// direct I/O alone does not promise for the file's size or the device's cache.</summary>
    public void Flush(bool toDisk = false)
    {
        WriteStaged(final: true);
        if (toDisk) _file.Flush(flushToDisk: true);
    }

    /// <summary>Writes the staged whole blocks, and with <paramref name="final"/> the partial last block too
    /// (zero-padded); a partial last block stays staged either way, to be written again with what follows it.</summary>
    private void WriteStaged(bool final)
    {
        while (true)
        {
            var whole = _staged / _alignment * _alignment;
            var length = final ? (int)AlignUp(_staged, _alignment) : whole;
            if (length == 0) return;
            _staging.AsSpan(_start + _staged, length - Math.Min(length, _staged)).Clear(); // the padding
            if (!TryWrite(length)) continue; // now through the cache, where any length goes
            var tail = _staged - whole;
            _staging.AsSpan(_start + whole, tail).CopyTo(_staging.AsSpan(_start));
            _written += whole;
            _staged = tail;
            return;
        }
    }

    /// <summary>Writes <paramref name="length"/> staged bytes where they belong; false if the file system rejected
    /// a direct write as unsupported (an alignment it needs beyond ours, though it took O_DIRECT at open), after
    /// which the file goes through the cache. Offsets do not move.</summary>
    private bool TryWrite(int length)
    {
        try
        {
            _file.Position = _written;
            _file.Write(_staging, _start, length);
            return true;
        }
        catch (IOException ex) when (IsDirect && ex.HResult == DirectIo.InvalidArgument)
        {
            _file.Dispose();
            _file = OpenBuffered(_path);
            _alignment = 1;
            DirectRejected = true;
            return false;
        }
    }

    /// <summary>A staging area of at least <paramref name="bytes"/> on the pinned object heap (it never moves, so
    /// the aligned start computed once stays aligned), keeping what is staged.</summary>
    private void Grow(long bytes)
    {
        var capacity = (int)AlignUp(bytes, DirectAlignment);
        var staging = GC.AllocateUninitializedArray<byte>(capacity + DirectAlignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(staging, 0);
        var start = (int)((DirectAlignment - address % DirectAlignment) % DirectAlignment);
        _staging.AsSpan(_start, _staged).CopyTo(staging.AsSpan(start));
        (_staging, _start, _capacity) = (staging, start, capacity);
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    public void Dispose() => _file.Dispose();

    /// <summary>Opening a file with <c>O_DIRECT</c>, which .NET's FileOptions cannot ask for.</summary>
    private static class DirectIo
    {
        public const int InvalidArgument = 22; // EINVAL, as .NET reports it in IOException.HResult on Unix
        private const int WriteOnly = 0x1, Create = 0x40, CloseOnExec = 0x80000, GetFlags = 3;
        private const int ReadWriteForAll = 438; // 0666, before the umask: what .NET creates files with

        public static SafeFileHandle? TryOpenForWriting(string path)
        {
            if (!OperatingSystem.IsLinux()) return null;
            var direct = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 0x4000,
                Architecture.Arm64 => 0x10000,
                _ => 0, // 32-bit: files over 2 GB would need O_LARGEFILE; not worth it
            };
            if (direct == 0) return null;
            try
            {
                // Any failure (EINVAL where direct I/O is not offered, or a real error) leaves the file to the
                // ordinary open, which reports real errors the way .NET does.
                var fd = open(path, WriteOnly | Create | CloseOnExec | direct, ReadWriteForAll);
                if (fd < 0) return null;
                var handle = new SafeFileHandle(fd, ownsHandle: true);
                if ((fcntl(fd, GetFlags, 0) & direct) != 0) return handle;
                handle.Dispose();
                return null;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int fcntl(int fd, int command, int argument);
    }
}
