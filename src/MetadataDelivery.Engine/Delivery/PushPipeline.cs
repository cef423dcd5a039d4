using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using MetadataDelivery.Engine.Configuration;

namespace MetadataDelivery.Engine.Delivery;

/// <summary>The member's one outbound push stream: many delivery actors write into a bounded channel;
/// the stream throttles to <c>MaxPushesPerSecond</c> and keeps at most <c>MaxInFlight</c> pushes open.
/// A full channel makes writers wait, so a mass rotation is absorbed instead of amplified.</summary>
public sealed class PushPipeline
{
    private readonly ChannelWriter<PushJob> _writer;

    public PushPipeline(ActorSystem system, PushClient client, DeliveryOptions options)
    {
        var rate = Math.Max(1, options.MaxPushesPerSecond);
        _writer = Source.Channel<PushJob>(Math.Max(1, options.QueueCapacity), singleWriter: false, BoundedChannelFullMode.Wait)
            // An abandoned job is dropped before the throttle, so it costs neither a permit nor a connection.
            .Where(StillWanted)
            .Throttle(rate, TimeSpan.FromSeconds(1), Math.Max(1, rate / 10), ThrottleMode.Shaping)
            .SelectAsyncUnordered(Math.Max(1, options.MaxInFlight), async job =>
            {
                var result = job.Abandoned.IsCancellationRequested ? PushResult.Fail("abandoned before it was sent") : await client.SendAsync(job);
                job.Completion.TrySetResult(result);
                return Akka.NotUsed.Instance;
            })
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(_ => Akka.Streams.Supervision.Directive.Resume))
            .To(Sink.Ignore<Akka.NotUsed>())
            .Run(system.Materializer());
    }

    private static bool StillWanted(PushJob job)
    {
        if (!job.Abandoned.IsCancellationRequested) return true;
        job.Completion.TrySetResult(PushResult.Fail("abandoned before it was sent"));
        return false;
    }

    public async Task<PushResult> PushAsync(PushJob job)
    {
        await _writer.WriteAsync(job, job.Abandoned);
        return await job.Completion.Task.WaitAsync(job.Abandoned);
    }
}
