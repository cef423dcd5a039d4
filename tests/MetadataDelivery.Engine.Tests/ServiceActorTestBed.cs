using Akka.Actor;
using Akka.Configuration;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.Services;
using MetadataDelivery.Engine.Storage;

namespace MetadataDelivery.Engine.Tests;

/// <summary>What the ServiceActor tests share: an actor system's in-memory persistence, the service they run, and
/// stand-in stores.</summary>
internal static class ServiceActorTestBed
{
    public static readonly Config InMemoryPersistence = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = WARNING
        """);

    public static readonly ServiceKey Key = new("acme", "payments");
    public static readonly ServiceSpec Spec = new("payments", "s3://maps/payments.json",
        new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.5, null), new DeliverySpec("http", 7070, "/v1/metadata", 8));
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
}

/// <summary>The base of a ServiceActor test class: its own actor system with in-memory persistence, terminated after
/// the class's tests, and the test bed's service.</summary>
public abstract class ServiceActorTestClass(string systemName) : IAsyncLifetime
{
    protected readonly ActorSystem Sys = ActorSystem.Create(systemName, ServiceActorTestBed.InMemoryPersistence);
    protected static readonly ServiceKey Key = ServiceActorTestBed.Key;
    protected static readonly ServiceSpec Spec = ServiceActorTestBed.Spec;
    protected static readonly TimeSpan Patience = ServiceActorTestBed.Patience;

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => Sys.Terminate();
}

/// <summary>A catalog whose service writes can be held in flight (and complete at once unless held).</summary>
internal sealed class HeldCatalog : ICatalogStore
{
    private volatile TaskCompletionSource _gate = Open();
    private readonly SemaphoreSlim _upserts = new(0), _deletes = new(0);

    public Task UpsertWaiting => _upserts.WaitAsync();
    public Task DeleteWaiting => _deletes.WaitAsync();

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    public void Release() => _gate.TrySetResult();

    public Task UpsertServiceAsync(ServiceKey key, DateTimeOffset at) { _upserts.Release(); return _gate.Task; }
    public Task DeleteServiceAsync(ServiceKey key) { _deletes.Release(); return _gate.Task; }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    public Task<bool> ServiceExistsAsync(ServiceKey key) => throw new NotSupportedException();
    public Task<(IReadOnlyList<string> Names, string? NextCursor)> ListServicesAsync(string tenant, int limit, string? after) => throw new NotSupportedException();
    public Task<IReadOnlyList<string>> AllServicesOfTenantAsync(string tenant) => throw new NotSupportedException();
    public Task<bool> CreateTenantAsync(string name, string keyHash, DateTimeOffset at) => throw new NotSupportedException();
    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync() => throw new NotSupportedException();
    public Task<bool> TenantExistsAsync(string name) => throw new NotSupportedException();
    public Task<bool> DeleteTenantAsync(string name) => throw new NotSupportedException();
    public Task<bool> AddTenantKeyAsync(string name, string keyHash, DateTimeOffset at) => throw new NotSupportedException();
    public Task<string?> FindTenantByKeyHashAsync(string keyHash) => throw new NotSupportedException();
}

internal sealed class NoEnvelopes : IEnvelopeStore
{
    public Task SaveAsync(ServiceKey key, string node, ReadOnlyMemory<byte> envelope, CancellationToken ct = default) => Task.CompletedTask;
    public Task<byte[]?> GetAsync(ServiceKey key, string node, CancellationToken ct = default) => Task.FromResult<byte[]?>(null);
    public Task DeleteNodesAsync(ServiceKey key, IReadOnlyCollection<string> nodes) => Task.CompletedTask;
    public Task DeleteServiceAsync(ServiceKey key) => Task.CompletedTask;
}
