using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Tests;

public sealed class SegmentFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mds-segfile-" + Guid.NewGuid().ToString("N")[..8]);
    private string PathOf(string name) => Path.Combine(_dir, name);

    public SegmentFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Appended_bytes_read_back_at_their_offsets_across_flushes_and_past_a_full_staging_area()
    {
        var random = new Random(7);
        var appended = new List<(long Offset, byte[] Bytes)>();
        using (var file = SegmentFile.Open(PathOf("a.seg")))
        {
            for (var i = 0; i < 300; i++) // about 3 MB, several times the staging area
            {
                var bytes = new byte[random.Next(1, 20_000)];
                random.NextBytes(bytes);
                appended.Add((file.Append(bytes), bytes));
                if (i % 7 == 6) file.Flush();
            }
            file.Flush();
        }
        var content = File.ReadAllBytes(PathOf("a.seg"));
        for (var i = 0; i < appended.Count; i++)
        {
            var (offset, bytes) = appended[i];
            Assert.Equal(bytes, content.AsSpan((int)offset, bytes.Length).ToArray());
            if (i > 0) Assert.True(offset >= appended[i - 1].Offset + appended[i - 1].Bytes.Length, "appends must not overlap");
        }
    }

    [Fact]
    public void A_flush_hands_everything_staged_to_the_file_and_under_direct_io_ends_on_a_whole_block()
    {
        using var file = SegmentFile.Open(PathOf("b.seg"));
        long appendedBytes = 0;
        foreach (var length in new[] { 14_000, 100, 4_096, 9_999 })
        {
            var offset = file.Append(new byte[length]);
            appendedBytes += length;
            file.Flush();
            var onDisk = new FileInfo(PathOf("b.seg")).Length;
            Assert.Equal(file.Position, onDisk);
            if (file.IsDirect)
            {
                Assert.Equal(0, onDisk % SegmentFile.DirectAlignment);
                Assert.Equal(0, offset % SegmentFile.DirectAlignment); // each append here starts a flushed batch
                Assert.InRange(onDisk - offset, length, length + SegmentFile.DirectAlignment - 1);
            }
            else Assert.Equal(appendedBytes, onDisk);
        }
    }

    [Fact]
    public void On_linux_file_systems_that_offer_it_segments_skip_the_page_cache()
    {
        using var file = SegmentFile.Open(PathOf("c.seg"));
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(file.IsDirect);
            return;
        }
        var fileSystem = FileSystemOf(_dir);
        if (fileSystem is "ext4" or "xfs" or "btrfs")
            Assert.True(file.IsDirect, $"a segment on {fileSystem} should be written with O_DIRECT");
    }

    /// <summary>The type of the file system the directory lies on, from the longest matching mount point.</summary>
    private static string? FileSystemOf(string directory) =>
        File.ReadAllLines("/proc/mounts")
            .Select(line => line.Split(' '))
            .Where(f => f.Length > 2 && (directory + "/").StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(f => f[1].Length)
            .Select(f => f[2])
            .FirstOrDefault();
}
