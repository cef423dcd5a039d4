namespace MetadataDelivery.Engine.Delivery;

/// <summary>One push waiting in the pipeline; the pipeline completes <see cref="Completion"/>.</summary>
public sealed record PushJob(Uri Target, byte[] Body, string Secret, string Version)
{
    public TaskCompletionSource<PushResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
