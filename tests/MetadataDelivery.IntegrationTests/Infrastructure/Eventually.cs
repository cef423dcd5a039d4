namespace MetadataDelivery.IntegrationTests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; then fails with <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout}: {what}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
