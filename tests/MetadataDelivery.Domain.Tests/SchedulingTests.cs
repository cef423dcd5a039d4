using MetadataDelivery.Domain.Scheduling;

namespace MetadataDelivery.Domain.Tests;

public class RenewalPolicyTests
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.66)]
    [InlineData(0.9)]
    public void Renewal_stays_within_five_percent_of_lifetime_around_renewAt(double renewAt)
    {
        var lifetime = TimeSpan.FromHours(1);
        var random = new Random(1);
        var seen = new List<double>();
        for (var i = 0; i < 10_000; i++)
        {
            var t = RenewalPolicy.RenewalTime(Issued, Issued + lifetime, renewAt, random);
            var fraction = (t - Issued) / lifetime;
            Assert.InRange(fraction, renewAt - 0.05 - 1e-9, renewAt + 0.05 + 1e-9);
            seen.Add(fraction);
        }
        // jitter is really spread, not a constant
        Assert.True(seen.Max() - seen.Min() > 0.09);
    }

    [Fact]
    public void Renewal_is_never_at_or_after_expiry_even_at_the_highest_renewAt()
    {
        var lifetime = TimeSpan.FromSeconds(10);
        var random = new Random(2);
        for (var i = 0; i < 10_000; i++)
        {
            var t = RenewalPolicy.RenewalTime(Issued, Issued + lifetime, 0.95, random);
            Assert.True(t < Issued + lifetime);
            Assert.True(t <= Issued + lifetime * RenewalPolicy.LatestFraction);
        }
    }

    [Fact]
    public void Zero_lifetime_renews_immediately() =>
        Assert.Equal(Issued, RenewalPolicy.RenewalTime(Issued, Issued, 0.66, new Random(3)));
}

public class BackoffPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Policy_is_sized_from_the_lifetime()
    {
        var p = BackoffPolicy.ForLifetime(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(200), p.Base);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), p.Cap);
        var hour = BackoffPolicy.ForLifetime(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.FromSeconds(1), hour.Base);
        Assert.Equal(TimeSpan.FromMinutes(5), hour.Cap);
    }

    [Fact]
    public void Retries_are_never_scheduled_past_the_deadline()
    {
        var policy = BackoffPolicy.ForLifetime(TimeSpan.FromHours(1));
        var random = new Random(4);
        for (var i = 0; i < 20_000; i++)
        {
            var remaining = TimeSpan.FromMilliseconds(random.Next(1, 600_000));
            var attempt = random.Next(1, 40);
            var next = policy.NextAttempt(Now, attempt, Now + remaining, random);
            Assert.True(next < Now + remaining, $"attempt {attempt} with {remaining} left was scheduled at +{next - Now}");
            Assert.True(next > Now);
        }
    }

    [Fact]
    public void Attempts_keep_coming_until_the_deadline()
    {
        // Simulate a node that never answers: the attempts before the deadline must not thin out to nothing.
        var policy = BackoffPolicy.ForLifetime(TimeSpan.FromHours(1));
        var random = new Random(5);
        var deadline = Now + TimeSpan.FromMinutes(20);
        var t = Now;
        var attempts = new List<DateTimeOffset>();
        for (var attempt = 1; deadline - t > TimeSpan.FromMilliseconds(1) && attempts.Count < 10_000; attempt++)
        {
            t = policy.NextAttempt(t, attempt, deadline, random);
            attempts.Add(t);
        }
        Assert.All(attempts, a => Assert.True(a < deadline));
        Assert.True(attempts.Count(a => a > deadline - TimeSpan.FromSeconds(10)) >= 2,
            "expected at least two attempts in the last 10 s before the deadline");
        Assert.True(attempts.Count < 10_000, "attempts must not degenerate into a busy loop");
    }

    [Fact]
    public void Ceiling_grows_exponentially_and_is_capped()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        var random = new Random(6);
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var max = TimeSpan.Zero;
            for (var i = 0; i < 2000; i++)
            {
                var d = policy.NextAttempt(Now, attempt, null, random) - Now;
                if (d > max) max = d;
            }
            var ceiling = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));
            Assert.True(max <= ceiling, $"attempt {attempt}: {max} > {ceiling}");
            Assert.True(max > ceiling * 0.9, $"attempt {attempt}: full jitter should reach near the ceiling, got {max}");
        }
    }

    [Fact]
    public void Delay_is_at_least_the_minimum()
    {
        var policy = BackoffPolicy.ForLifetime(TimeSpan.FromHours(1));
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
            Assert.True(policy.NextAttempt(Now, 1, null, random) - Now >= policy.Min);
    }
}

public class DeliveryScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static DeliverySchedule NewSchedule() => new(T0);

    [Fact]
    public void Takes_due_slots_earliest_deadline_first()
    {
        var s = NewSchedule();
        s.Set(3, T0.AddSeconds(3));
        s.Set(1, T0.AddSeconds(1));
        s.Set(2, T0.AddSeconds(2));
        s.Set(99, T0.AddSeconds(100));
        Assert.Equal([1, 2, 3], s.TakeDue(T0.AddSeconds(10), 10));
        Assert.Equal(1, s.Count);
        Assert.Equal(T0.AddSeconds(100), s.NextDue);
    }

    [Fact]
    public void Setting_a_slot_again_moves_it()
    {
        var s = NewSchedule();
        s.Set(1, T0.AddSeconds(1));
        s.Set(2, T0.AddSeconds(2));
        s.Set(1, T0.AddSeconds(5));
        Assert.Equal(2, s.Count);
        Assert.Equal([2], s.TakeDue(T0.AddSeconds(3), 10));
        Assert.True(s.TryGetDue(1, out var due));
        Assert.Equal(T0.AddSeconds(5), due);
        Assert.False(s.TryGetDue(2, out _));
        Assert.False(s.TryGetDue(5_000, out _)); // never seen
    }

    [Fact]
    public void Take_respects_the_maximum_and_removal()
    {
        var s = NewSchedule();
        for (var i = 0; i < 10; i++) s.Set(i, T0.AddSeconds(i));
        Assert.True(s.Remove(0));
        Assert.False(s.Remove(0));
        Assert.False(s.Remove(123_456));
        Assert.Equal([1, 2, 3], s.TakeDue(T0.AddSeconds(100), 3));
        Assert.Equal(6, s.Count);
    }

    [Fact]
    public void Equal_due_times_come_in_slot_order()
    {
        var s = NewSchedule();
        s.Set(7, T0); s.Set(2, T0); s.Set(5, T0);
        Assert.Equal([2, 5, 7], s.TakeDue(T0, 10));
        Assert.Null(s.NextDue);
    }

    [Fact]
    public void Due_times_round_up_to_the_millisecond_so_nothing_is_taken_early()
    {
        var s = NewSchedule();
        var due = T0.AddTicks(1); // a tenth of a microsecond after T0
        s.Set(1, due);
        Assert.Empty(s.TakeDue(T0, 10));
        Assert.Equal(T0.AddMilliseconds(1), s.NextDue);
        Assert.Equal([1], s.TakeDue(T0.AddMilliseconds(1), 10));

        s.Set(2, T0.AddTicks(7_000)); // 0.7 ms after T0
        Assert.Empty(s.TakeDue(T0.AddTicks(3_000), 10)); // 0.3 ms: not yet, though both are within the same millisecond
        Assert.Empty(s.TakeDue(T0.AddTicks(6_999), 10));
        Assert.Equal([2], s.TakeDue(T0.AddTicks(10_000), 10));
    }

    [Fact]
    public void Long_overdue_and_far_future_times_are_clamped_not_wrapped()
    {
        var s = NewSchedule();
        s.Set(1, DateTimeOffset.MaxValue);
        s.Set(2, DateTimeOffset.MinValue);
        s.Set(3, T0.AddYears(-20));
        s.Set(0, DateTimeOffset.UnixEpoch); // slot 0 long overdue: still a real entry
        Assert.Equal(4, s.Count);
        Assert.True(s.Remove(0));
        s.Set(0, DateTimeOffset.UnixEpoch);
        Assert.Equal([0, 2, 3], s.TakeDue(T0, 10)); // all count as long overdue: slot order
        Assert.Empty(s.TakeDue(T0, 10));
        Assert.Equal(1, s.Count);
        Assert.Empty(s.TakeDue(T0.AddYears(20), 10));
        Assert.Equal([1], s.TakeDue(DateTimeOffset.MaxValue, 10));
    }

    [Fact]
    public void Moved_and_removed_slots_never_come_back_and_the_next_due_skips_them()
    {
        var s = NewSchedule();
        for (var round = 0; round < 5_000; round++) // many re-schedules of the same slots: stale entries are compacted away
        {
            s.Set(1, T0.AddSeconds(round));
            s.Set(2, T0.AddSeconds(round + 1));
        }
        s.Set(3, T0);
        s.Remove(3);
        Assert.Equal(2, s.Count);
        Assert.Equal(T0.AddSeconds(4_999), s.NextDue);
        Assert.Equal([1, 2], s.TakeDue(T0.AddSeconds(10_000), 10));
        Assert.Null(s.NextDue);
        Assert.Empty(s.TakeDue(DateTimeOffset.MaxValue, 10));
    }

    [Fact]
    public void A_drained_schedule_gives_its_heap_back()
    {
        var s = NewSchedule();
        for (var i = 0; i < 100_000; i++) s.Set(i, T0.AddMilliseconds(i));
        var peak = s.AllocatedBytes;
        Assert.Equal(100_000, s.TakeDue(DateTimeOffset.MaxValue, int.MaxValue).Count);
        Assert.True(s.AllocatedBytes < peak * 0.6, $"{s.AllocatedBytes} of {peak} bytes kept"); // the per-slot pages stay, the heap shrinks
        s.Set(5, T0);
        Assert.Equal([5], s.TakeDue(T0, 10));
    }

    [Fact]
    public void Reserved_slots_are_held_exactly_and_entries_set_before_survive()
    {
        var s = NewSchedule();
        s.Set(0, T0.AddSeconds(7));
        s.Reserve(100);
        for (var i = 1; i < 100; i++) s.Set(i, T0.AddSeconds(i));
        Assert.Equal((100 + 128) * sizeof(ulong), s.AllocatedBytes); // 100 per-slot entries (doubling: 128), a heap of 100 entries
        Assert.True(s.TryGetDue(0, out var due));
        Assert.Equal(T0.AddSeconds(7), due);
        s.Reserve(50); // smaller than what is held: nothing shrinks
        Assert.Equal((100 + 128) * sizeof(ulong), s.AllocatedBytes);
        Assert.Equal([1, 2, 3, 4, 5, 6, 0, 7], s.TakeDue(T0.AddSeconds(7), 10)); // equal times in slot order
    }

    [Fact]
    public void A_schedule_of_few_slots_holds_little_and_grows_its_first_page_on_demand()
    {
        var s = NewSchedule();
        for (var i = 0; i < 10; i++) s.Set(i, T0.AddSeconds(i));
        Assert.True(s.AllocatedBytes <= 1024, $"{s.AllocatedBytes} bytes for 10 slots"); // a whole first page would be 8 KB
        s.Set(5_000, T0.AddSeconds(-1)); // a slot on a later page first: the first page stays short
        var before = s.AllocatedBytes;
        Assert.False(s.TryGetDue(900, out _));
        Assert.False(s.Remove(900));
        Assert.Equal(before, s.AllocatedBytes); // a lookup beyond the short page finds nothing and grows nothing

        for (var i = 10; i < 1_024; i++) s.Set(i, T0.AddSeconds(i));
        Assert.True(s.TryGetDue(3, out var due));
        Assert.Equal(T0.AddSeconds(3), due);
        Assert.Equal([5_000, .. Enumerable.Range(0, 1_024)], s.TakeDue(DateTimeOffset.MaxValue, int.MaxValue));
    }

    [Fact]
    public void Agrees_with_a_sorted_reference_under_random_operations()
    {
        var random = new Random(42);
        var s = NewSchedule();
        var reference = new Dictionary<int, DateTimeOffset>();
        var now = T0;
        for (var step = 0; step < 20_000; step++)
        {
            var slot = random.Next(3_000);
            switch (random.Next(4))
            {
                case 0 or 1:
                    var due = now.AddMilliseconds(random.Next(-1_000, 60_000));
                    s.Set(slot, due);
                    reference[slot] = due;
                    break;
                case 2:
                    Assert.Equal(reference.Remove(slot), s.Remove(slot));
                    break;
                default:
                    now = now.AddMilliseconds(random.Next(0, 2_000));
                    var expected = reference.Where(kv => kv.Value <= now).OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).Take(50).Select(kv => kv.Key).ToList();
                    Assert.Equal(expected, s.TakeDue(now, 50));
                    foreach (var taken in expected) reference.Remove(taken);
                    break;
            }
            Assert.Equal(reference.Count, s.Count);
        }
    }
}
