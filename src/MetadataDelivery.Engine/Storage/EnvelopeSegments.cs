using System.Globalization;

namespace MetadataDelivery.Engine.Storage;

/// <summary>Where one envelope's bytes are: a segment file, an offset in it, a length.</summary>
public readonly record struct EnvelopeLocation(long Segment, long Offset, int Length);

/// <summary>The append-only segment files of the embedded envelope store, one directory of
/// <c>{number}.seg</c> files. Only the store's writer appends (to the newest segment, which it opened at
/// start: segments left by an earlier run are never appended to) and deletes; readers read any segment
/// at an offset the index gave them.</summary>
public sealed class EnvelopeSegments : IDisposable
{
    private const string Extension = ".seg";

    private readonly string _directory;
    private readonly long _maxSegmentBytes;
    private FileStream? _current;
    private long _currentLength; // tracked here: the stream buffers what is written

    public EnvelopeSegments(string directory, long maxSegmentBytes)
    {
        _directory = directory;
        _maxSegmentBytes = maxSegmentBytes;
        Directory.CreateDirectory(directory);
        CurrentSegment = Existing().DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>The segment appends go to; every lower number is closed.</summary>
    public long CurrentSegment { get; private set; }

    /// <summary>Segments closed since the last call to <see cref="TakeClosedCount"/>.</summary>
    private int _closedSinceTaken;

    public int TakeClosedCount()
    {
        var closed = _closedSinceTaken;
        _closedSinceTaken = 0;
        return closed;
    }

    public EnvelopeLocation Append(ReadOnlySpan<byte> envelope)
    {
        var current = Current();
        if (_currentLength > 0 && _currentLength + envelope.Length > _maxSegmentBytes)
        {
            current.Flush();
            current.Dispose();
            _current = null;
            _currentLength = 0;
            CurrentSegment++;
            _closedSinceTaken++;
            current = Current();
        }
        var offset = _currentLength;
        current.Write(envelope);
        _currentLength += envelope.Length;
        return new EnvelopeLocation(CurrentSegment, offset, envelope.Length);
    }

    /// <summary>Hands what was appended to the operating system, so other handles read it (no fsync: like the
    /// SQLite catalog in WAL mode with synchronous=NORMAL, it survives a crash of the process, not of the machine).</summary>
    public void Flush() => _current?.Flush();

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
    }

    /// <summary>The closed segments on disk with their sizes.</summary>
    public IEnumerable<(long Segment, long Bytes)> Closed() =>
        Existing().Where(s => s < CurrentSegment).Select(s => (s, new FileInfo(PathOf(s)).Length));

    public void Delete(long segment)
    {
        if (segment >= CurrentSegment) throw new InvalidOperationException($"segment {segment} is still being written");
        File.Delete(PathOf(segment));
    }

    private FileStream Current() => _current ??= new FileStream(PathOf(CurrentSegment), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 64 * 1024);

    private string PathOf(long segment) => Path.Combine(_directory, segment.ToString("D10", CultureInfo.InvariantCulture) + Extension);

    private IEnumerable<long> Existing() =>
        Directory.EnumerateFiles(_directory, "*" + Extension)
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n > 0);

    public void Dispose()
    {
        _current?.Flush();
        _current?.Dispose();
        _current = null;
    }
}
