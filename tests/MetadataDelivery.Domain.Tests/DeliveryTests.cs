using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Scheduling;

namespace MetadataDelivery.Domain.Tests;

public class PushSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"version":"sha256:00"}""");

    [Fact]
    public void Signs_as_the_contract_says()
    {
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes("1790000000." + Encoding.UTF8.GetString(Body))));
        Assert.Equal(expected, PushSignature.Sign("s3cret", 1_790_000_000, Body));
    }

    [Fact]
    public void Verifies_with_current_or_previous_secret()
    {
        var sig = PushSignature.Sign("old", Now.ToUnixTimeSeconds(), Body);
        Assert.Equal(PushSignature.Verdict.Valid, PushSignature.Verify(["new", "old"], "1790000000", sig, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.BadSignature, PushSignature.Verify(["new"], "1790000000", sig, Body, Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void During_a_rotation_one_header_carries_a_signature_per_valid_secret()
    {
        var header = PushSignature.SignAll(["new", "old"], Now.ToUnixTimeSeconds(), Body);
        Assert.Equal(PushSignature.Sign("new", Now.ToUnixTimeSeconds(), Body) + "," + PushSignature.Sign("old", Now.ToUnixTimeSeconds(), Body), header);
        foreach (var agentSecret in new[] { "new", "old" })
            Assert.Equal(PushSignature.Verdict.Valid, PushSignature.Verify([agentSecret], "1790000000", header, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.BadSignature, PushSignature.Verify(["other"], "1790000000", header, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Sign("only", 1, Body), PushSignature.SignAll(["only"], 1, Body)); // outside a rotation: exactly the contract's header
    }

    [Fact]
    public void Rejects_tampering_skew_and_missing_headers()
    {
        var ts = Now.ToUnixTimeSeconds().ToString();
        var sig = PushSignature.Sign("k", Now.ToUnixTimeSeconds(), Body);
        var tampered = (byte[])Body.Clone(); tampered[^2] ^= 1;
        Assert.Equal(PushSignature.Verdict.BadSignature, PushSignature.Verify(["k"], ts, sig, tampered, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.OutsideWindow, PushSignature.Verify(["k"], ts, sig, Body, Now.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.Missing, PushSignature.Verify(["k"], null, sig, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.BadTimestamp, PushSignature.Verify(["k"], "12a", sig, Body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(PushSignature.Verdict.BadSignature, PushSignature.Verify(["k"], ts, sig.ToUpperInvariant(), Body, Now, TimeSpan.FromMinutes(5)));
    }
}

public class ExpiryRuleTests
{
    private static readonly DateTimeOffset Fetched = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ttl_alone() => Assert.Equal(Fetched.AddHours(1), ExpiryRule.Compute(Fetched, TimeSpan.FromHours(1), null, "x"u8));

    [Fact]
    public void Earlier_expires_header_caps() =>
        Assert.Equal(Fetched.AddMinutes(10), ExpiryRule.Compute(Fetched, TimeSpan.FromHours(1), Fetched.AddMinutes(10), "x"u8));

    [Fact]
    public void Later_expires_header_does_not_extend() =>
        Assert.Equal(Fetched.AddHours(1), ExpiryRule.Compute(Fetched, TimeSpan.FromHours(1), Fetched.AddHours(5), "x"u8));

    [Fact]
    public void Certificate_not_after_caps()
    {
        using var key = ECDsa.Create();
        var req = new CertificateRequest("CN=n", key, HashAlgorithmName.SHA256);
        var notAfter = new DateTimeOffset(2026, 11, 26, 12, 20, 0, TimeSpan.Zero);
        using var cert = req.CreateSelfSigned(Fetched.AddMinutes(-1), notAfter);
        var pem = Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        Assert.Equal(notAfter, ExpiryRule.LeafNotAfter(pem));
        Assert.Equal(notAfter, ExpiryRule.Compute(Fetched, TimeSpan.FromHours(1), null, pem));
    }

    [Fact]
    public void Broken_pem_is_ignored() =>
        Assert.Null(ExpiryRule.LeafNotAfter("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"u8));
}

public class DeliveryDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private static MetadataItem Item(DateTimeOffset at) => new("payload"u8.ToArray(), "text/plain", at, at + Ttl);

    [Fact]
    public void Ack_delivers_and_schedules_the_renewal_inside_the_lifetime()
    {
        var o = DeliveryDecisions.Acked("n", Item(Now), Now.AddMilliseconds(20), 0.5, new Random(1));
        Assert.Equal(NodeState.Delivered, o.State);
        Assert.Equal(0, o.Attempts);
        Assert.Null(o.LastError);
        Assert.InRange(o.NextAttemptAt!.Value, Now.AddSeconds(4.5), Now.AddSeconds(5.5));
        Assert.Equal(Now + Ttl, o.ExpiresAt);
    }

    [Fact]
    public void A_pull_by_the_node_counts_as_delivery_of_a_newer_valid_item_only()
    {
        var item = Item(Now.AddSeconds(-1));
        var retrying = new NodeRecord(Now.AddMinutes(-5));
        retrying.Apply(DeliveryDecisions.Failed("n", retrying, "refused", Now.AddSeconds(-2), Ttl, BackoffPolicy.ForLifetime(Ttl), new Random(1)));

        var pulled = DeliveryDecisions.Pulled("n", retrying, item.Version, item.IssuedAt, item.ExpiresAt, Now, 0.5, new Random(1));
        Assert.NotNull(pulled);
        Assert.Equal(NodeState.Delivered, pulled.State);
        Assert.Equal(item.Version, pulled.Version);
        Assert.Equal(Now, pulled.DeliveredAt);
        Assert.Equal(0, pulled.Attempts);
        Assert.Null(pulled.LastError);
        Assert.InRange(pulled.NextAttemptAt!.Value, item.IssuedAt.AddSeconds(4.5), item.IssuedAt.AddSeconds(5.5));

        var delivered = retrying;
        delivered.Apply(pulled);
        Assert.Null(DeliveryDecisions.Pulled("n", delivered, item.Version, item.IssuedAt, item.ExpiresAt, Now, 0.5, new Random(1))); // already counted
        var older = new MetadataItem("older"u8.ToArray(), "text/plain", Now.AddSeconds(-3), Now.AddSeconds(7));
        Assert.Null(DeliveryDecisions.Pulled("n", delivered, older.Version, older.IssuedAt, older.ExpiresAt, Now, 0.5, new Random(1)));   // never back
        Assert.Null(DeliveryDecisions.Pulled("n", retrying, item.Version, item.IssuedAt, item.ExpiresAt, item.ExpiresAt, 0.5, new Random(1))); // expired
    }

    [Fact]
    public void Failure_while_holding_valid_metadata_retries_before_expiry()
    {
        var rec = new NodeRecord(Now.AddMinutes(-5));
        rec.Apply(DeliveryDecisions.Acked("n", Item(Now.AddSeconds(-6)), Now.AddSeconds(-6), 0.5, new Random(1)));
        for (var i = 0; i < 5; i++)
        {
            var o = DeliveryDecisions.Failed("n", rec, "refused", Now, Ttl, BackoffPolicy.ForLifetime(Ttl), new Random(i));
            Assert.Equal(NodeState.Retrying, o.State);
            Assert.True(o.NextAttemptAt < rec.ExpiresAt);
            rec.Apply(o);
        }
        Assert.Equal(5, rec.Attempts);
        Assert.Equal("refused", rec.LastError);
    }

    [Fact]
    public void Failure_after_the_deadline_is_expired_and_detected_once()
    {
        var rec = new NodeRecord(Now.AddMinutes(-5));
        rec.Apply(DeliveryDecisions.Acked("n", Item(Now.AddSeconds(-20)), Now.AddSeconds(-20), 0.5, new Random(1)));
        Assert.True(DeliveryDecisions.HasJustExpired(rec, Now, Ttl));
        rec.Apply(DeliveryDecisions.MarkExpired("n", rec, Now));
        Assert.Equal(NodeState.Expired, rec.State);
        Assert.False(DeliveryDecisions.HasJustExpired(rec, Now, Ttl));
        var o = DeliveryDecisions.Failed("n", rec, "down", Now, Ttl, BackoffPolicy.ForLifetime(Ttl), new Random(1));
        Assert.Equal(NodeState.Expired, o.State);
        Assert.True(o.NextAttemptAt > Now);
        rec.Apply(o);
        rec.Apply(DeliveryDecisions.Acked("n", Item(Now), Now, 0.5, new Random(1)));
        Assert.Equal(NodeState.Delivered, rec.State);
    }

    [Fact]
    public void A_new_node_must_be_served_within_one_lifetime()
    {
        var rec = new NodeRecord(Now);
        Assert.Equal(Now + Ttl, rec.Deadline(Ttl));
        Assert.False(DeliveryDecisions.HasJustExpired(rec, Now.AddSeconds(9), Ttl));
        Assert.True(DeliveryDecisions.HasJustExpired(rec, Now.AddSeconds(10), Ttl));
    }

    [Fact]
    public void Force_resets_the_backoff()
    {
        var rec = new NodeRecord(Now);
        rec.Apply(DeliveryDecisions.Failed("n", rec, "x", Now, Ttl, BackoffPolicy.ForLifetime(Ttl), new Random(1)));
        rec.Apply(DeliveryDecisions.ResetForForce("n", rec, Now));
        Assert.Equal(0, rec.Attempts);
        Assert.Equal(Now, rec.NextAttemptAt);
    }

    [Fact]
    public void Version_is_sha256_of_the_payload() =>
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", MetadataItem.VersionOf("hello"u8));
}

public class EnvelopeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10_240)]
    public void The_one_pass_writer_produces_the_same_envelope_as_the_record(int payloadBytes)
    {
        var payload = new byte[payloadBytes];
        new Random(7).NextBytes(payload);
        var at = new DateTimeOffset(2026, 11, 26, 12, 0, 0, 123, TimeSpan.Zero);
        var item = new MetadataItem(payload, "application/x-pem-file; charset=\"utf-8\"", at, at.AddHours(1));
        var record = Envelope.Create("acme", "pay-ments", "node<1>&\"x\"", "d1", item);
        var written = Envelope.SerializeToUtf8("acme", "pay-ments", "node<1>&\"x\"", "d1", item);
        // Same fields and values; the writer leaves base64's '+' unescaped where the serializer writes \u002B.
        Assert.Equal(record, Envelope.FromJson(written));
        Assert.True(written.Length <= record.ToJsonBytes().Length);
        Assert.Equal(payload, Convert.FromBase64String(Envelope.FromJson(written)!.Payload));
    }

    private static readonly MetadataItem TenKb = new(new byte[10_240], "application/octet-stream",
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));

    [Fact]
    public void A_stored_envelope_is_recognised_as_its_nodes_and_no_one_elses()
    {
        // The node id needs escaping in JSON: the check compares unescaped text.
        var bytes = Envelope.SerializeToUtf8("acme", "payments", "node<1>&\"x\"", "d1", TenKb);
        Assert.True(Envelope.IsEnvelopeOf(bytes, "acme", "payments", "node<1>&\"x\""));
        Assert.False(Envelope.IsEnvelopeOf(bytes, "acme", "payments", "node<1>"));
        Assert.False(Envelope.IsEnvelopeOf(bytes, "acme", "billing", "node<1>&\"x\""));
        Assert.False(Envelope.IsEnvelopeOf(bytes, "other", "payments", "node<1>&\"x\""));
    }

    [Fact]
    public void Bytes_that_are_not_one_whole_envelope_are_not_recognised()
    {
        var bytes = Envelope.SerializeToUtf8("acme", "payments", "n1", "d1", TenKb);
        Assert.True(Envelope.IsEnvelopeOf(bytes, "acme", "payments", "n1"));
        foreach (var cut in new[] { bytes.Length - 1, bytes.Length / 2, 60, 1, 0 }) // a write torn by a crash
            Assert.False(Envelope.IsEnvelopeOf(bytes.AsSpan(0, cut), "acme", "payments", "n1"), $"cut at {cut}");
        Assert.False(Envelope.IsEnvelopeOf([.. bytes, 0, 0], "acme", "payments", "n1"));           // zero padding after it
        Assert.False(Envelope.IsEnvelopeOf([.. bytes, .. bytes], "acme", "payments", "n1"));       // two envelopes
        Assert.False(Envelope.IsEnvelopeOf("[]"u8, "acme", "payments", "n1"));
        Assert.False(Envelope.IsEnvelopeOf("""{"tenant":"acme","service":"payments"}"""u8, "acme", "payments", "n1")); // no node
        Assert.False(Envelope.IsEnvelopeOf("""{"tenant":"acme","service":"payments","node":1}"""u8, "acme", "payments", "1"));
        Assert.False(Envelope.IsEnvelopeOf("""{"x":{"tenant":"acme","service":"payments","node":"n1"}}"""u8, "acme", "payments", "n1")); // nested
    }
}

public class NodeRecordTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")] // kept as a digest
    [InlineData("sha256:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF")] // upper case: kept as given
    [InlineData("sha256:abc")]
    [InlineData("v42")]
    [InlineData(null)]
    public void Versions_read_back_exactly_as_written(string? version)
    {
        var r = new NodeRecord(T0) { Version = version };
        Assert.Equal(version, r.Version);
        r.Version = null;
        Assert.Null(r.Version);
    }

    [Fact]
    public void Times_read_back_as_the_same_instants_and_null_stays_null()
    {
        var plusTwo = new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.FromHours(2));
        var r = new NodeRecord(T0);
        Assert.Null(r.IssuedAt); Assert.Null(r.DeliveredAt); Assert.Null(r.ExpiresAt); Assert.Null(r.NextAttemptAt);
        r.Apply(new DeliveryOutcome("n", NodeState.Delivered, "v", T0, T0.AddSeconds(1), plusTwo, T0.AddMinutes(30), 0, null));
        Assert.Equal(T0, r.AddedAt);
        Assert.Equal(T0.AddSeconds(1), r.DeliveredAt);
        Assert.Equal(plusTwo, r.ExpiresAt); // the same instant (stored in UTC)
        Assert.Equal(T0, r.ExpiresAt!.Value.ToOffset(TimeSpan.Zero));
        Assert.Equal(T0.AddMinutes(30), r.NextAttemptAt);
        r.Apply(new DeliveryOutcome("n", NodeState.Pending, null, null, null, null, null, 0, null));
        Assert.Null(r.ExpiresAt);
        Assert.Equal(T0 + TimeSpan.FromHours(1), r.Deadline(TimeSpan.FromHours(1)));
    }
}
