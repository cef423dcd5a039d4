using System.Globalization;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Where one envelope's bytes are: a segment file, an offset in it, a length.</summary>
public readonly record struct EnvelopeLocation(long Segment, long Offset, int Length);

/// <summary>The append-only segment files of the embedded envelope store, one directory of
/// <c>{number}.seg</c> files. Only the store's writer appends (to the newest segment, started fresh at open:
/// segments left by an earlier run are never appended to) and deletes; readers read any segment at an offset
/// the index gave them.</summary>
public sealed class EnvelopeSegments : IDisposable
{
    private const string Extension = ".seg";

    private readonly string _directory;
    private readonly long _maxSegmentBytes;
    private bool _directIo; // off once a file system rejected a segment's direct writes (see Close)
    private SegmentFile? _current;
    private int _closedSinceTaken;

    /// <param name="highestReferenced">the highest segment number the index refers to: never reused, even if its
    /// file is gone (a number reused after a machine crash could hand a node an older envelope of its own).</param>
    /// <param name="directIo">write segments with direct I/O where the OS offers it (<see cref="SegmentFile"/>).</param>
    public EnvelopeSegments(string directory, long maxSegmentBytes, long highestReferenced, bool directIo = true)
    {
        _directory = directory;
        _maxSegmentBytes = maxSegmentBytes;
        _directIo = directIo;
        Directory.CreateDirectory(directory);
        CurrentSegment = Math.Max(Existing().DefaultIfEmpty(0).Max(), highestReferenced) + 1;
    }

    /// <summary>The segment appends go to; every lower number is closed.</summary>
    public long CurrentSegment { get; private set; }

    /// <summary>Segments closed since the last call.</summary>
    public int TakeClosedCount()
    {
        var closed = _closedSinceTaken;
        _closedSinceTaken = 0;
        return closed;
    }

    /// <summary>Appends the bytes to the current segment (after closing it if they would not fit). If the write
    /// fails, the segment is closed as it is, so no later offset is computed from bytes that never reached it.</summary>
    public EnvelopeLocation Append(ReadOnlySpan<byte> envelope)
    {
        try
        {
            if (_current is { } full && full.Position > 0 && full.Position + envelope.Length > _maxSegmentBytes)
            {
                full.Flush();
                Close();
            }
            var current = _current ??= SegmentFile.Open(PathOf(CurrentSegment), _directIo);
            return new EnvelopeLocation(CurrentSegment, current.Append(envelope), envelope.Length);
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Hands what was appended to the operating system, so other handles read it; with
    /// <paramref name="toDisk"/> also to the disk. Without it, like the SQLite catalog in WAL mode with
    /// synchronous=NORMAL, it survives a crash of the process, not necessarily of the machine.</summary>
    public void Flush(bool toDisk = false)
    {
        try { _current?.Flush(toDisk); }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>The bytes at <paramref name="at"/>, or null when the segment is gone (compacted and deleted
    /// since the index was read) or shorter than the location says.</summary>
    public byte[]? TryRead(EnvelopeLocation at)
    {
        try
        {
            using var handle = File.OpenHandle(PathOf(at.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[at.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), at.Offset + read);
                if (n == 0) return null;
                read += n;
            }
            return bytes;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (UnauthorizedAccessException) { return null; } // Windows: a file pending deletion
    }

    /// <summary>The closed segments on disk with their sizes.</summary>
    public List<(long Segment, long Bytes)> Closed() =>
        Existing().Where(s => s < CurrentSegment).Select(s => (s, new FileInfo(PathOf(s)).Length)).ToList();

    /// <summary>Bytes in the segment being written.</summary>
    public long CurrentBytes => _current?.Position ?? 0;

    public void Delete(long segment)
    {
        if (segment >= CurrentSegment) throw new InvalidOperationException($"segment {segment} is still being written");
        File.Delete(PathOf(segment));
    }

    /// <summary>Ends the current segment: the next append starts a new one. A file whose staged bytes cannot be
    /// written (the disk is full) is dropped with them; nothing in the index points at those bytes. If the file
    /// system rejected its direct writes, the next segments are written through the cache from the start.</summary>
    private void Close()
    {
        var current = _current;
        _current = null;
        _directIo &= current?.DirectRejected != true;
        CurrentSegment++;
        _closedSinceTaken++;
        try { current?.Dispose(); }
        catch (IOException) { }
    }

    private string PathOf(long segment) => Path.Combine(_directory, segment.ToString("D10", CultureInfo.InvariantCulture) + Extension);

    private IEnumerable<long> Existing() =>
        Directory.EnumerateFiles(_directory, "*" + Extension)
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n > 0);

    public void Dispose()
    {
        try { _current?.Flush(); }
        finally
        {
            _current?.Dispose();
            _current = null;
        }
    }
}
