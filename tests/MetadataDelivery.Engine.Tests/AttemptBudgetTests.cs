using Akka.Actor;
using MetadataDelivery.Engine.Delivery;

namespace MetadataDelivery.Engine.Tests;

public sealed class AttemptBudgetTests
{
    /// <summary>Records what it is told, in order.</summary>
    private sealed class Waiter(string name, List<string> woken) : ICanTell
    {
        public void Tell(object message, IActorRef sender)
        {
            Assert.Same(AttemptSlotFreed.Instance, message);
            woken.Add(name);
        }
    }

    [Fact]
    public void Slots_are_granted_up_to_the_limit_and_no_further()
    {
        var budget = new AttemptBudget(5);
        Assert.Equal(3, budget.TryTake(3));
        Assert.Equal(2, budget.TryTake(4));
        Assert.Equal(0, budget.TryTake(1));
        Assert.Equal(5, budget.InUse);
        budget.Release();
        Assert.Equal(1, budget.TryTake(10));
    }

    [Fact]
    public void A_forced_attempt_takes_a_slot_beyond_the_limit_and_the_budget_refills_only_below_it()
    {
        var budget = new AttemptBudget(1);
        Assert.Equal(1, budget.TryTake(1));
        budget.TakeBeyondLimit();
        Assert.Equal(2, budget.InUse);
        budget.Release();
        Assert.Equal(0, budget.TryTake(1)); // one in use: still at the limit
        budget.Release();
        Assert.Equal(1, budget.TryTake(1));
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Waiters_are_woken_one_per_freed_slot_in_the_order_they_asked_between_equal_deadlines()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(2);
        budget.TryTake(2);
        budget.NotifyWhenFree(new Waiter("a", woken), T0);
        budget.NotifyWhenFree(new Waiter("b", woken), T0);
        Assert.Empty(woken);

        budget.Release();
        Assert.Equal(["a"], woken);
        budget.WakeNextIfFree(); // "a" used no slot: it passes the wake-up on
        Assert.Equal(["a", "b"], woken);
    }

    [Fact]
    public void A_freed_slot_goes_to_the_waiter_with_the_most_urgent_deadline()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(1);
        budget.TryTake(1);
        budget.NotifyWhenFree(new Waiter("relaxed", woken), T0.AddMinutes(30));
        budget.NotifyWhenFree(new Waiter("urgent", woken), T0.AddMinutes(1));
        budget.NotifyWhenFree(new Waiter("middle", woken), T0.AddMinutes(10));

        for (var i = 0; i < 3; i++)
        {
            budget.Release();
            Assert.Equal(1, budget.TryTake(1)); // the woken waiter takes the slot
        }
        Assert.Equal(["urgent", "middle", "relaxed"], woken);
    }

    [Fact]
    public void A_waiter_that_asks_while_a_slot_is_free_is_woken_at_once()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(2);
        budget.TryTake(1); // a slot freed between the waiter's TryTake and its request
        budget.NotifyWhenFree(new Waiter("late", woken), T0);
        Assert.Equal(["late"], woken);
    }

    [Fact]
    public void Nobody_is_woken_while_the_budget_is_spent()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(1);
        budget.TryTake(1);
        budget.TakeBeyondLimit();
        budget.NotifyWhenFree(new Waiter("a", woken), T0);
        budget.Release(); // back to the limit, not below it
        Assert.Empty(woken);
        budget.Release();
        Assert.Equal(["a"], woken);
    }

    [Fact]
    public void A_waiter_asking_again_with_an_earlier_deadline_moves_up_and_is_woken_once()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(1);
        budget.TryTake(1);
        var late = new Waiter("registered late, now urgent", woken);
        budget.NotifyWhenFree(new Waiter("middle", woken), T0.AddMinutes(10));
        budget.NotifyWhenFree(late, T0.AddMinutes(30));
        budget.NotifyWhenFree(late, T0.AddMinutes(1), alreadyWaiting: true); // a more urgent node of its became ready

        for (var i = 0; i < 2; i++)
        {
            budget.Release();
            Assert.Equal(1, budget.TryTake(1));
        }
        Assert.Equal(["registered late, now urgent", "middle"], woken);
        budget.Release();
        budget.WakeNextIfFree();
        Assert.Equal(2, woken.Count); // one place per waiter: no second wake-up from its first request
    }

    [Fact]
    public void A_waiter_asking_again_with_a_later_deadline_keeps_its_place()
    {
        var woken = new List<string>();
        var budget = new AttemptBudget(1);
        budget.TryTake(1);
        var first = new Waiter("first", woken);
        budget.NotifyWhenFree(first, T0);
        budget.NotifyWhenFree(new Waiter("second", woken), T0);
        budget.NotifyWhenFree(first, T0.AddMinutes(5), alreadyWaiting: true); // its earlier registration still stands

        budget.Release();
        Assert.Equal(["first"], woken);
    }
}
