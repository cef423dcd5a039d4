namespace MetadataDelivery.Engine.Delivery;

/// <summary>A partition's delivery workers that wait for their next job. The one idle last is handed out first, and a
/// worker idle for longer than <see cref="Linger"/> is let go, so a partition holds idle workers only while it keeps
/// them busy: at most as many as it finished attempts with in the last <see cref="Linger"/>.</summary>
public sealed class IdleWorkers<TWorker>(TimeSpan linger)
{
    // Oldest first: handed out from the end, let go from the front.
    private readonly List<(TWorker Worker, DateTimeOffset IdleSince)> _idle = [];

    public TimeSpan Linger { get; } = linger;
    public int Count => _idle.Count;

    /// <summary>When the worker idle longest is to be let go, if any waits.</summary>
    public DateTimeOffset? NextExpiry => _idle.Count > 0 ? _idle[0].IdleSince + Linger : null;

    public void Add(TWorker worker, DateTimeOffset now) => _idle.Add((worker, now));

    public bool TryTake(out TWorker worker)
    {
        if (_idle.Count == 0) { worker = default!; return false; }
        worker = _idle[^1].Worker;
        _idle.RemoveAt(_idle.Count - 1);
        return true;
    }

    /// <summary>Removes and returns the workers idle for <see cref="Linger"/> or longer.</summary>
    public IReadOnlyList<TWorker> TakeExpired(DateTimeOffset now)
    {
        var expired = 0;
        while (expired < _idle.Count && _idle[expired].IdleSince + Linger <= now) expired++;
        if (expired == 0) return [];
        var taken = _idle.GetRange(0, expired).ConvertAll(i => i.Worker);
        _idle.RemoveRange(0, expired);
        return taken;
    }

    /// <summary>Removes and returns every idle worker.</summary>
    public IReadOnlyList<TWorker> TakeAll()
    {
        var taken = _idle.ConvertAll(i => i.Worker);
        _idle.Clear();
        return taken;
    }
}
