using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Tests;

public sealed class SegmentFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mds-segfile-" + Guid.NewGuid().ToString("N")[..8]);
    private string PathOf(string name) => Path.Combine(_dir, name);

    public SegmentFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Whether this machine's temporary directory lies on a file system that offers direct I/O, where
    /// the tests below must see it used.</summary>
    private bool DirectIoExpected => OperatingSystem.IsLinux() && FileSystemOf(_dir) is "ext4" or "xfs" or "btrfs";

    [Fact]
    public void Appends_are_packed_back_to_back_and_read_back_across_a_full_staging_area_a_big_append_and_flushes()
    {
        var random = new Random(7);
        var appended = new List<(long Offset, byte[] Bytes)>();
        void AppendRandom(SegmentFile file, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            appended.Add((file.Append(bytes), bytes));
        }
        using (var file = SegmentFile.Open(PathOf("a.seg")))
        {
            for (var i = 0; i < 250; i++) AppendRandom(file, random.Next(1, 20_000)); // ~2.5 MB unflushed: the staging area fills
            AppendRandom(file, 3 * 1024 * 1024 + 17); // bigger than the staging area, after an unaligned tail
            for (var i = 0; i < 100; i++)
            {
                AppendRandom(file, random.Next(1, 20_000));
                if (i % 7 == 6) file.Flush();
            }
            file.Flush();
        }
        var content = File.ReadAllBytes(PathOf("a.seg"));
        Assert.Equal(0, appended[0].Offset);
        for (var i = 0; i < appended.Count; i++)
        {
            var (offset, bytes) = appended[i];
            Assert.True(bytes.AsSpan().SequenceEqual(content.AsSpan((int)offset, bytes.Length)), $"append {i} at {offset} reads back changed");
            if (i > 0) Assert.Equal(appended[i - 1].Offset + appended[i - 1].Bytes.Length, offset);
        }
    }

    [Fact]
    public void A_flush_hands_everything_to_the_file_which_holds_less_than_one_block_more_than_was_appended()
    {
        using var file = SegmentFile.Open(PathOf("b.seg"));
        Assert.Equal(DirectIoExpected, file.IsDirect);
        var alignment = file.IsDirect ? SegmentFile.DirectAlignment : 1;
        long appendedBytes = 0;
        foreach (var length in new[] { 14_000, 100, 4_096, 9_999, 1 })
        {
            Assert.Equal(appendedBytes, file.Append(new byte[length]));
            appendedBytes += length;
            file.Flush();
            Assert.Equal(appendedBytes, file.Position);
            Assert.Equal((appendedBytes + alignment - 1) / alignment * alignment, new FileInfo(PathOf("b.seg")).Length);
        }
    }

    [Fact]
    public void Segments_skip_the_page_cache_where_the_file_system_offers_it_unless_turned_off()
    {
        using (var file = SegmentFile.Open(PathOf("c.seg"))) Assert.Equal(DirectIoExpected, file.IsDirect);
        using (var off = SegmentFile.Open(PathOf("d.seg"), direct: false)) Assert.False(off.IsDirect);
    }

    [Fact]
    public void A_direct_write_the_file_system_rejects_goes_through_the_cache_with_every_offset_kept()
    {
        // 128-byte blocks: the device's sectors are bigger, so the kernel rejects the first direct write (EINVAL).
        using var file = SegmentFile.Open(PathOf("e.seg"), direct: true, alignment: 128);
        Assert.Equal(DirectIoExpected, file.IsDirect);
        var first = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var second = Enumerable.Range(0, 300).Select(i => (byte)(255 - i % 256)).ToArray();
        Assert.Equal(0, file.Append(first));
        file.Flush();
        Assert.Equal(DirectIoExpected, file.DirectRejected);
        Assert.False(file.IsDirect);
        Assert.Equal(100, file.Append(second));
        file.Flush();
        Assert.Equal(first.Concat(second).ToArray(), File.ReadAllBytes(PathOf("e.seg")));
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
