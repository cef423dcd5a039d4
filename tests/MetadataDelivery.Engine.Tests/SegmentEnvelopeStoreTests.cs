using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Engine.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetadataDelivery.Engine.Tests;

public sealed class SegmentEnvelopeStoreTests : IDisposable
{
    private static readonly ServiceKey Payments = new("acme", "payments");
    private static readonly ServiceKey Billing = new("acme", "billing");
    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mds-segments-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SqliteDatabase _db;
    private string Segments => Path.Combine(_dir, "envelopes");

    public SegmentEnvelopeStoreTests() => _db = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SegmentEnvelopeStore Open(long maxSegmentBytes = SegmentEnvelopeStore.DefaultMaxSegmentBytes) =>
        new(_db, Segments, NullLogger<SegmentEnvelopeStore>.Instance, maxSegmentBytes);

    private static byte[] EnvelopeOf(ServiceKey key, string node, string deliveryId, int payloadBytes = 2_000)
    {
        var payload = new byte[payloadBytes];
        new Random(deliveryId.GetHashCode()).NextBytes(payload);
        return Envelope.SerializeToUtf8(key.Tenant, key.Service, node, deliveryId, new MetadataItem(payload, "application/x-pem-file", At, At.AddHours(1)));
    }

    private int SegmentFiles => Directory.GetFiles(Segments, "*.seg").Length;

    [Fact]
    public async Task Returns_the_latest_envelope_of_each_node_and_none_for_unknown_nodes()
    {
        await using var store = Open();
        var first = EnvelopeOf(Payments, "n1", "d1");
        var second = EnvelopeOf(Payments, "n1", "d2");
        var other = EnvelopeOf(Billing, "n1", "d3");
        await store.SaveAsync(Payments, "n1", first);
        await store.SaveAsync(Billing, "n1", other);
        Assert.Equal(first, await store.GetAsync(Payments, "n1"));
        await store.SaveAsync(Payments, "n1", second);
        Assert.Equal(second, await store.GetAsync(Payments, "n1"));
        Assert.Equal(other, await store.GetAsync(Billing, "n1"));
        Assert.Null(await store.GetAsync(Payments, "n2"));
    }

    [Fact]
    public async Task Deleted_nodes_and_services_have_no_envelope()
    {
        await using var store = Open();
        foreach (var node in new[] { "n1", "n2", "n3" }) await store.SaveAsync(Payments, node, EnvelopeOf(Payments, node, "d-" + node));
        await store.SaveAsync(Billing, "n1", EnvelopeOf(Billing, "n1", "d-b"));
        await store.DeleteNodesAsync(Payments, ["n1", "n2"]);
        Assert.Null(await store.GetAsync(Payments, "n1"));
        Assert.Null(await store.GetAsync(Payments, "n2"));
        Assert.NotNull(await store.GetAsync(Payments, "n3"));
        await store.DeleteServiceAsync(Payments);
        Assert.Null(await store.GetAsync(Payments, "n3"));
        Assert.NotNull(await store.GetAsync(Billing, "n1"));
    }

    [Fact]
    public async Task Envelopes_survive_a_restart_and_new_ones_go_to_a_new_segment()
    {
        var before = EnvelopeOf(Payments, "n1", "d1");
        await using (var store = Open()) await store.SaveAsync(Payments, "n1", before);
        Assert.Equal(1, SegmentFiles);

        await using var reopened = Open();
        Assert.Equal(before, await reopened.GetAsync(Payments, "n1"));
        var after = EnvelopeOf(Payments, "n2", "d2");
        await reopened.SaveAsync(Payments, "n2", after);
        Assert.Equal(after, await reopened.GetAsync(Payments, "n2"));
        Assert.Equal(before, await reopened.GetAsync(Payments, "n1"));
        Assert.Equal(2, SegmentFiles);
    }

    [Fact]
    public async Task Segments_no_node_points_into_are_deleted_and_disk_use_stays_bounded()
    {
        // About one envelope per segment: every save closes one, and a sweep follows every fourth.
        await using var store = Open(maxSegmentBytes: 4_000);
        for (var round = 0; round < 50; round++)
            foreach (var node in new[] { "n1", "n2", "n3" })
                await store.SaveAsync(Payments, node, EnvelopeOf(Payments, node, $"d{round}-{node}"));
        store.Sweep();
        Assert.InRange(SegmentFiles, 3, 4); // the three live envelopes' segments (one may be the open one)
        foreach (var node in new[] { "n1", "n2", "n3" })
            Assert.Equal(EnvelopeOf(Payments, node, $"d49-{node}"), await store.GetAsync(Payments, node));
    }

    [Fact]
    public async Task When_the_files_hold_far_more_than_the_live_envelopes_the_sparsest_segments_are_copied_forward()
    {
        // Four envelopes per segment, ten segments; then three nodes of every four are deleted: each segment is a
        // quarter live and the files hold four times the live bytes.
        await using var store = Open(maxSegmentBytes: 12_000);
        var nodes = Enumerable.Range(0, 40).Select(i => $"n{i:D2}").ToList();
        foreach (var node in nodes) await store.SaveAsync(Payments, node, EnvelopeOf(Payments, node, "d-" + node));
        await store.DeleteNodesAsync(Payments, nodes.Where((_, i) => i % 4 != 0).ToList());
        var before = Directory.GetFiles(Segments, "*.seg").Order().ToList();
        var bytesBefore = before.Sum(f => new FileInfo(f).Length);

        store.Sweep();

        var after = Directory.GetFiles(Segments, "*.seg").ToList();
        Assert.Equal(4, before.Except(after).Count()); // the four sparsest this sweep
        Assert.True(after.Sum(f => new FileInfo(f).Length) < bytesBefore);
        for (var i = 0; i < nodes.Count; i++)
        {
            var stored = await store.GetAsync(Payments, nodes[i]);
            if (i % 4 == 0) Assert.Equal(EnvelopeOf(Payments, nodes[i], "d-" + nodes[i]), stored);
            else Assert.Null(stored);
        }
    }

    [Fact]
    public async Task Segments_that_are_mostly_live_are_left_alone()
    {
        await using var store = Open(maxSegmentBytes: 12_000);
        var nodes = Enumerable.Range(0, 40).Select(i => $"n{i:D2}").ToList();
        foreach (var node in nodes) await store.SaveAsync(Payments, node, EnvelopeOf(Payments, node, "d-" + node));
        await store.DeleteNodesAsync(Payments, nodes.Where((_, i) => i % 4 == 0).ToList()); // three quarters stay live
        var before = Directory.GetFiles(Segments, "*.seg").Order().ToList();
        store.Sweep();
        Assert.Equal(before, Directory.GetFiles(Segments, "*.seg").Order().ToList());
    }

    [Fact]
    public async Task A_segment_number_the_index_still_names_is_never_reused_even_if_its_file_is_gone()
    {
        await using (var store = Open()) await store.SaveAsync(Payments, "n1", EnvelopeOf(Payments, "n1", "d1"));
        foreach (var f in Directory.GetFiles(Segments, "*.seg")) File.Delete(f); // lost with a machine crash

        await using var reopened = Open();
        await reopened.SaveAsync(Payments, "n2", EnvelopeOf(Payments, "n2", "d2"));
        Assert.Null(await reopened.GetAsync(Payments, "n1"));
        Assert.Equal(EnvelopeOf(Payments, "n2", "d2"), await reopened.GetAsync(Payments, "n2"));
        Assert.Equal("0000000002.seg", Path.GetFileName(Directory.GetFiles(Segments, "*.seg").Single()));
    }

    [Fact]
    public async Task A_failed_write_fails_its_batch_only_and_later_envelopes_are_stored_and_read_right()
    {
        await using var store = Open();
        await store.SaveAsync(Payments, "n0", EnvelopeOf(Payments, "n0", "d0")); // opens segment 1
        await store.DisposeAsync();
        await using var reopened = Open(); // appends go to segment 2, which will be a full disk (Linux's /dev/full)
        File.CreateSymbolicLink(Path.Combine(Segments, "0000000002.seg"), "/dev/full");

        await Assert.ThrowsAnyAsync<IOException>(() => reopened.SaveAsync(Payments, "n1", EnvelopeOf(Payments, "n1", "d1")));

        var second = EnvelopeOf(Payments, "n2", "d2");
        var third = EnvelopeOf(Payments, "n3", "d3");
        await reopened.SaveAsync(Payments, "n2", second);
        await reopened.SaveAsync(Payments, "n3", third);
        Assert.Null(await reopened.GetAsync(Payments, "n1"));
        Assert.Equal(second, await reopened.GetAsync(Payments, "n2"));
        Assert.Equal(third, await reopened.GetAsync(Payments, "n3"));
        Assert.Equal(EnvelopeOf(Payments, "n0", "d0"), await reopened.GetAsync(Payments, "n0"));
        reopened.Sweep();
        Assert.False(File.Exists(Path.Combine(Segments, "0000000002.seg")), "the failed segment holds nothing live and goes");
    }

    [Fact]
    public async Task Damaged_bytes_read_as_no_envelope()
    {
        await using var store = Open();
        await store.SaveAsync(Payments, "n1", EnvelopeOf(Payments, "n1", "d1"));
        var segment = Directory.GetFiles(Segments, "*.seg").Single();
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            f.Write(new byte[64]); // a torn write after a machine crash: zeros where the envelope began
        Assert.Null(await store.GetAsync(Payments, "n1"));
    }

    [Fact]
    public async Task Envelopes_of_the_earlier_catalog_table_move_into_segments()
    {
        var old = EnvelopeOf(Payments, "n1", "d-old");
        using (var c = _db.Open())
        {
            SqliteDatabase.Execute(c, "CREATE TABLE envelopes (service TEXT NOT NULL, node TEXT NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (service, node)) WITHOUT ROWID;");
            SqliteDatabase.Execute(c, "INSERT INTO envelopes VALUES ($s, $n, $e)", ("$s", Payments.EntityId), ("$n", "n1"), ("$e", old));
        }
        await using var store = Open();
        Assert.Equal(old, await store.GetAsync(Payments, "n1"));
        using (var c = _db.Open())
        using (var cmd = SqliteDatabase.Command(c, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'envelopes'"))
            Assert.Equal(0L, cmd.ExecuteScalar());
    }
}
