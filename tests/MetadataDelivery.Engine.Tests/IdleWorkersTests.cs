using MetadataDelivery.Engine.Delivery;

namespace MetadataDelivery.Engine.Tests;

public sealed class IdleWorkersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_worker_idle_last_is_handed_out_first()
    {
        var idle = new IdleWorkers<string>(Linger);
        idle.Add("a", T0);
        idle.Add("b", T0.AddMilliseconds(10));

        Assert.True(idle.TryTake(out var first));
        Assert.True(idle.TryTake(out var second));
        Assert.False(idle.TryTake(out _));
        Assert.Equal(("b", "a"), (first, second));
    }

    [Fact]
    public void Workers_idle_for_the_linger_are_let_go_and_the_others_stay()
    {
        var idle = new IdleWorkers<string>(Linger);
        idle.Add("a", T0);
        idle.Add("b", T0.AddMilliseconds(400));
        idle.Add("c", T0.AddMilliseconds(900));

        Assert.Empty(idle.TakeExpired(T0.AddMilliseconds(999)));
        Assert.Equal(["a", "b"], idle.TakeExpired(T0.AddMilliseconds(1_400)));
        Assert.Equal(1, idle.Count);
        Assert.Equal(T0.AddMilliseconds(1_900), idle.NextExpiry);
        Assert.True(idle.TryTake(out var left));
        Assert.Equal("c", left);
        Assert.Null(idle.NextExpiry);
    }

    [Fact]
    public void Taking_all_empties_the_pool()
    {
        var idle = new IdleWorkers<string>(Linger);
        idle.Add("a", T0);
        idle.Add("b", T0);

        Assert.Equal(["a", "b"], idle.TakeAll());
        Assert.Equal(0, idle.Count);
        Assert.Empty(idle.TakeExpired(T0.AddHours(1)));
    }
}
