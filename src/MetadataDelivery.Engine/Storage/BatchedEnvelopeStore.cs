using System.Threading.Channels;
using MetadataDelivery.Domain.Ids;
using Microsoft.Extensions.Logging;

namespace MetadataDelivery.Engine.Storage;

/// <summary>The write path shared by the envelope stores: every save and delete goes through one queue and one
/// writer that commits them in batches (one transaction per batch, not per envelope). Deletes are thus ordered
/// after the saves queued before them, and a save whose attempt was abandoned is skipped. A save's bytes may be
/// a pooled buffer: the writer reads them only until the save completes.</summary>
public abstract class BatchedEnvelopeStore : IEnvelopeStore, IAsyncDisposable
{
    private const int MaxBatch = 256;

    protected abstract record Write(TaskCompletionSource Done);
    protected sealed record Save(string Service, string Node, ReadOnlyMemory<byte> Envelope, CancellationToken Abandoned, TaskCompletionSource Done) : Write(Done);
    protected sealed record DeleteNodes(string Service, IReadOnlyCollection<string> Nodes, TaskCompletionSource Done) : Write(Done);
    protected sealed record DeleteService(string Service, TaskCompletionSource Done) : Write(Done);

    private readonly ILogger _log;
    private readonly Channel<Write> _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private Task? _writer;

    protected BatchedEnvelopeStore(ILogger log) => _log = log;

    /// <summary>Call at the end of the subclass constructor, once its schema exists.</summary>
    protected void StartWriter() => _writer = Task.Run(WriteLoopAsync);

    /// <summary>Applies the batch in one transaction; saves already abandoned are to be skipped.</summary>
    protected abstract Task ApplyAsync(IReadOnlyList<Write> batch);

    /// <summary>Upkeep on the writer once a batch's callers have their answers (also after a failed batch).</summary>
    protected virtual void AfterBatch() { }

    public abstract Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default);

    public Task SaveAsync(ServiceKey key, string node, ReadOnlyMemory<byte> envelope, CancellationToken ct = default) =>
        EnqueueAsync(new Save(key.EntityId, node, envelope, ct, NewDone()), ct);

    public Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes) =>
        nodes.Count == 0 ? Task.CompletedTask : EnqueueAsync(new DeleteNodes(key.EntityId, nodes, NewDone()), CancellationToken.None);

    public Task DeleteServiceAsync(ServiceKey key) => EnqueueAsync(new DeleteService(key.EntityId, NewDone()), CancellationToken.None);

    private static TaskCompletionSource NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task EnqueueAsync(Write write, CancellationToken ct)
    {
        await _writes.Writer.WriteAsync(write, ct);
        await write.Done.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await ApplyAsync(batch);
                foreach (var write in batch) write.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "writing {Count} envelope changes failed", batch.Count);
                foreach (var write in batch) write.Done.TrySetException(ex);
            }
            try { AfterBatch(); }
            catch (Exception ex) { _log.LogError(ex, "envelope store upkeep after a batch failed"); }
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writer is not null) await _writer;
        GC.SuppressFinalize(this);
    }
}
