using Akka.Actor;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Delivery;
using MetadataDelivery.Engine.Services;

namespace MetadataDelivery.Engine.Tests;

/// <summary>The partition does not watch its delivery children (two system messages per attempt); a child that
/// stops without having reported must therefore report the attempt itself.</summary>
public sealed class NodeDeliveryActorTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("node-delivery-tests");

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _system.Terminate();

    private static readonly ServiceSpec Spec = new("payments", "s3://maps/payments.json",
        new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.5, null), new DeliverySpec("http", 7070, "/v1/metadata", 8));
    private static readonly DeliveryJob Job = new(new ServiceKey("acme", "payments"), Spec, ["secret"], "delivery-1", "node-1", "127.0.0.1", null, null);

    /// <summary>No attempt slot is ever free, so an attempt waits and has reported nothing until it is stopped or times out.</summary>
    private static DeliveryServices NoFreeSlot(MdsOptions options) =>
        new(() => ActorRefs.Nobody, () => ActorRefs.Nobody, options, null!, null!, null!, null!, null!, null!, null!, TimeProvider.System, new SemaphoreSlim(0));

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
    public async Task A_child_stopped_before_it_reported_reports_a_failed_attempt()
    {
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(Job, NoFreeSlot(new MdsOptions())), reported)));

        parent.Tell("stop it");

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal("node-1", report.Node);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("delivery actor stopped unexpectedly", report.Error);
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_attempt_timeout_is_reported_as_abandoned()
    {
        var options = new MdsOptions();
        options.Delivery.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = DateTime.UtcNow;
        _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(Job, NoFreeSlot(options)), reported)));

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300), "reported before its timeout");
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("attempt abandoned after 00:00:00.3000000", report.Error);
    }
}
