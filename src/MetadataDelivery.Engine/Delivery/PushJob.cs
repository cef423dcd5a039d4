namespace MetadataDelivery.Engine.Delivery;

/// <summary>One push waiting in the pipeline; the pipeline completes <see cref="Completion"/>.</summary>
/// <param name="Abandoned">cancelled when the attempt that queued the job gave up: the job is then skipped, not sent.</param>
/// <param name="Secrets">the service's valid delivery secrets, current first (more than one during a rotation's grace).</param>
public sealed record PushJob(Uri Target, ReadOnlyMemory<byte> Body, IReadOnlyList<string> Secrets, string Version, CancellationToken Abandoned)
{
    public TaskCompletionSource<PushResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
