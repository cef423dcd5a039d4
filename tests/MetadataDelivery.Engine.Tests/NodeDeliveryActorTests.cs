using Akka.Actor;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Tests;

/// <summary>The lifecycle of one attempt's child. The partition does not watch its children (two system messages per
/// attempt), so a child that stops without having reported must report the attempt itself; an attempt that outlives
/// the attempt timeout is reported as abandoned; the budget slot its partition took for it comes back.</summary>
public sealed class NodeDeliveryActorTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("node-delivery-tests");

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _system.Terminate();

    private static readonly ServiceSpec Spec = new("payments", "s3://maps/payments.json",
        new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.5, null), new DeliverySpec("http", 7070, "/v1/metadata", 8));
    private static readonly MetadataItem Item = new("payload"u8.ToArray(), "text/plain", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
    // A cached item: the attempt goes straight to saving its envelope, where the stores below hold it.
    private static readonly DeliveryJob Job = new(new ServiceKey("acme", "payments"), Spec, ["secret"], "delivery-1", "node-1", "127.0.0.1", Item, null);

    /// <summary>Never finishes a save: it ends when the save is cancelled if <paramref name="honoursCancellation"/>,
    /// else not at all.</summary>
    private sealed class StuckStore(bool honoursCancellation) : IEnvelopeStore
    {
        public Task SaveAsync(ServiceKey key, string node, ReadOnlyMemory<byte> envelope, CancellationToken ct = default) =>
            honoursCancellation ? Task.Delay(Timeout.Infinite, ct) : new TaskCompletionSource().Task;
        public Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default) => Task.FromResult<byte[]?>(null);
        public Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes) => Task.CompletedTask;
        public Task DeleteServiceAsync(ServiceKey key) => Task.CompletedTask;
    }

    /// <summary>Services whose budget has the one slot the partition took for this attempt.</summary>
    private static DeliveryServices Services(MdsOptions options, IEnvelopeStore store)
    {
        var budget = new AttemptBudget(1);
        Assert.Equal(1, budget.TryTake(1));
        return new(() => ActorRefs.Nobody, () => ActorRefs.Nobody, options, null!, null!, null!, new EnvelopeBuffers(1), store,
            null!, null!, TimeProvider.System, budget);
    }

    /// <summary>Starts one delivery child, then stops it on request; hands over what the child told it.</summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(Props child, TaskCompletionSource<DeliveryAttemptFinished> reported)
        {
            var started = Context.ActorOf(child, "d-1");
            Receive<string>(_ => Context.Stop(started));
            Receive<DeliveryAttemptFinished>(reported.SetResult);
        }
    }

    [Fact]
    public async Task A_child_stopped_before_it_reported_reports_a_failed_attempt_and_gives_its_slot_back()
    {
        var services = Services(new MdsOptions(), new StuckStore(honoursCancellation: true));
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(Job, services), reported)));
        await Task.Delay(200);
        Assert.Equal(1, services.AttemptBudget.InUse); // the attempt is held in its save

        parent.Tell("stop it");

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal("node-1", report.Node);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("delivery actor stopped unexpectedly", report.Error);
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the slot given back once the cancelled save ended");
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_attempt_timeout_is_reported_as_abandoned_even_if_it_ignores_cancellation()
    {
        var options = new MdsOptions();
        options.Delivery.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = DateTime.UtcNow;
        _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(Job, Services(options, new StuckStore(honoursCancellation: false))), reported)));

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300), "reported before its timeout");
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("attempt abandoned after 00:00:00.3000000", report.Error);
    }

    [Fact]
    public async Task An_attempt_timed_out_in_a_save_that_honours_cancellation_gives_its_slot_back()
    {
        var options = new MdsOptions();
        options.Delivery.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var services = Services(options, new StuckStore(honoursCancellation: true));
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(Job, services), reported)));

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("attempt abandoned after 00:00:00.3000000", report.Error);
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the slot given back");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
