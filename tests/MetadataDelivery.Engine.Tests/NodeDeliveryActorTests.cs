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

    /// <summary>Starts one delivery child, then stops it before it can report; hands over what the child told it.</summary>
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
        // No attempt slot is free, so the attempt waits and has reported nothing when it is stopped.
        var services = new DeliveryServices(() => ActorRefs.Nobody, () => ActorRefs.Nobody, new MdsOptions(), null!, null!, null!, null!,
            null!, null!, null!, TimeProvider.System, new SemaphoreSlim(0));
        var spec = new ServiceSpec("payments", "s3://maps/payments.json",
            new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.5, null), new DeliverySpec("http", 7070, "/v1/metadata", 8));
        var job = new DeliveryJob(new ServiceKey("acme", "payments"), spec, ["secret"], "delivery-1", "node-1", "127.0.0.1", null, null);
        var reported = new TaskCompletionSource<DeliveryAttemptFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = _system.ActorOf(Props.Create(() => new Parent(NodeDeliveryActor.Props(job, services), reported)));

        parent.Tell("stop it");

        var report = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("delivery-1", report.DeliveryId);
        Assert.Equal("node-1", report.Node);
        Assert.Equal(AttemptResult.Failed, report.Result);
        Assert.Equal("delivery actor stopped unexpectedly", report.Error);
    }
}
