using Akka.Actor;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Engine.Services;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Tests;

/// <summary>The lifecycle of a delivery worker. The partition does not watch its workers (two system messages per
/// attempt), so a worker that stops without having reported must report its attempt itself; an attempt that outlives
/// the attempt timeout is reported as abandoned and its worker stops; a worker whose attempt ended on its own waits
/// for the next job; the budget slot its partition took for each attempt comes back.</summary>
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

    /// <summary>A job that ends on its own, without a fetch or a push: its node's address is not usable.</summary>
    private static DeliveryJob Unaddressable(string deliveryId) => Job with { DeliveryId = deliveryId, Address = "not an address" };

    /// <summary>Services whose budget has the slots the partition took for the attempts (one unless said).</summary>
    private static DeliveryServices Services(MdsOptions options, IEnvelopeStore store, int slotsTaken = 1)
    {
        var budget = new AttemptBudget(slotsTaken);
        Assert.Equal(slotsTaken, budget.TryTake(slotsTaken));
        return new(() => ActorRefs.Nobody, () => ActorRefs.Nobody, options, null!, null!, null!, new EnvelopeBuffers(1), store,
            null!, new MdsMetrics(new PlainMeterFactory()), TimeProvider.System, budget);
    }

    /// <summary>Starts one delivery worker and gives it <paramref name="job"/>; gives it the jobs it is sent, stops it on
    /// request; hands over what the worker told it, and whether it stopped.</summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(DeliveryServices services, DeliveryJob job, System.Threading.Channels.ChannelWriter<DeliveryAttemptFinished> reports,
            TaskCompletionSource? stopped = null)
        {
            var worker = Context.ActorOf(NodeDeliveryActor.Props(services), "w-1");
            Context.Watch(worker);
            worker.Tell(job);
            Receive<DeliveryJob>(worker.Tell);
            Receive<string>(_ => Context.Stop(worker));
            Receive<DeliveryAttemptFinished>(r => reports.TryWrite(r));
            Receive<Terminated>(_ => stopped?.TrySetResult());
        }
    }

    private (IActorRef Parent, System.Threading.Channels.ChannelReader<DeliveryAttemptFinished> Reports) StartParent(
        DeliveryServices services, DeliveryJob job, TaskCompletionSource? stopped = null)
    {
        var reports = System.Threading.Channels.Channel.CreateUnbounded<DeliveryAttemptFinished>();
        var parent = _system.ActorOf(Props.Create(() => new Parent(services, job, reports.Writer, stopped)));
        return (parent, reports.Reader);
    }

    private static Task<DeliveryAttemptFinished> NextReport(System.Threading.Channels.ChannelReader<DeliveryAttemptFinished> reports) =>
        reports.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_worker_stopped_before_it_reported_reports_a_failed_attempt_and_gives_its_slot_back()
    {
        var services = Services(new MdsOptions(), new StuckStore(honoursCancellation: true));
        var (parent, reports) = StartParent(services, Job);
        await Task.Delay(200);
        Assert.Equal(1, services.AttemptBudget.InUse); // the attempt is held in its save

        parent.Tell("stop it");

        var report = await NextReport(reports);
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal("node-1", report.Node);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("delivery actor stopped unexpectedly", report.Error);
        Assert.False(report.WorkerIdle);
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the slot given back once the cancelled save ended");
        await WaitUntilAsync(() => services.Metrics.WorkersLive == 0, "the worker counted as gone");
        Assert.Equal(1, services.Metrics.WorkersStartedTotal);
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_attempt_timeout_is_reported_as_abandoned_even_if_it_ignores_cancellation_and_its_worker_stops()
    {
        var options = new MdsOptions();
        options.Delivery.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = DateTime.UtcNow;
        var (_, reports) = StartParent(Services(options, new StuckStore(honoursCancellation: false)), Job, stopped);

        var report = await NextReport(reports);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300), "reported before its timeout");
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("attempt abandoned after 00:00:00.3000000", report.Error);
        Assert.False(report.WorkerIdle); // its save still runs: not a worker to give another job
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_attempt_timed_out_in_a_save_that_honours_cancellation_gives_its_slot_back()
    {
        var options = new MdsOptions();
        options.Delivery.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var services = Services(options, new StuckStore(honoursCancellation: true));
        var (_, reports) = StartParent(services, Job);

        var report = await NextReport(reports);
        Assert.Equal("attempt abandoned after 00:00:00.3000000", report.Error);
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the slot given back");
    }

    [Fact]
    public async Task A_worker_whose_attempt_ended_on_its_own_runs_the_next_job_it_is_given()
    {
        var services = Services(new MdsOptions(), new StuckStore(honoursCancellation: true), slotsTaken: 2);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (parent, reports) = StartParent(services, Unaddressable("delivery-1"), stopped);

        var first = await NextReport(reports);
        Assert.Equal(("delivery-1", AttemptResult.Failed, true), (first.DeliveryId, first.Result, first.WorkerIdle));
        Assert.Equal("node address 'not an address' is not usable", first.Error);
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 1, "the first attempt's slot given back");

        parent.Tell(Unaddressable("delivery-2"));

        var second = await NextReport(reports);
        Assert.Equal(("delivery-2", AttemptResult.Failed, true), (second.DeliveryId, second.Result, second.WorkerIdle));
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the second attempt's slot given back");
        Assert.True(services.AttemptBudget.TryTake(1) == 1, "a slot for a third job");

        parent.Tell(Unaddressable("delivery-3")); // still there after its second report
        Assert.Equal("delivery-3", (await NextReport(reports)).DeliveryId);
        Assert.False(stopped.Task.IsCompleted, "the worker stopped");
        Assert.Equal((1, 1), (services.Metrics.WorkersStartedTotal, services.Metrics.WorkersLive));
    }

    [Fact]
    public async Task A_job_given_to_a_busy_worker_is_refused_with_its_slot_and_the_running_attempt_goes_on()
    {
        var services = Services(new MdsOptions(), new StuckStore(honoursCancellation: true), slotsTaken: 2);
        var (parent, reports) = StartParent(services, Job);
        await Task.Delay(200); // held in its save

        parent.Tell(Unaddressable("delivery-2"));

        var refused = await NextReport(reports);
        Assert.Equal(("delivery-2", AttemptResult.Failed, false), (refused.DeliveryId, refused.Result, refused.WorkerIdle));
        Assert.Equal("delivery worker was busy", refused.Error);
        await Task.Delay(200);
        Assert.Equal(1, services.AttemptBudget.InUse); // the running attempt's slot only
        Assert.False(reports.TryRead(out var early), $"the running attempt reported early: {early}");

        parent.Tell("stop it");
        var running = await NextReport(reports);
        Assert.Equal("delivery-1", running.DeliveryId);
        Assert.Equal("delivery actor stopped unexpectedly", running.Error); // it ran until stopped, not cancelled by the refusal
        await WaitUntilAsync(() => services.AttemptBudget.InUse == 0, "the running attempt's slot given back");
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
