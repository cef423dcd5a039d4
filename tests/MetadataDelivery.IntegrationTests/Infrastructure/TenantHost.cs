namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>The usual start of an integration test: a scratch directory, a member, and one tenant's client.</summary>
public sealed class TenantHost : IAsyncDisposable
{
    public TestDirectory Dir { get; }
    public InProcessHost Host { get; }
    public ApiClient Tenant { get; }

    private TenantHost(TestDirectory dir, InProcessHost host, ApiClient tenant) => (Dir, Host, Tenant) = (dir, host, tenant);

    public static async Task<TenantHost> StartAsync(string tenant = "acme", params string[] extra)
    {
        var dir = new TestDirectory();
        var host = await InProcessHost.StartAsync(dir.Sub("host"), extra);
        return new TenantHost(dir, host, host.Tenant(await host.Operator.CreateTenantAsync(tenant)));
    }

    public void Deconstruct(out TestDirectory dir, out InProcessHost host, out ApiClient tenant) => (dir, host, tenant) = (Dir, Host, Tenant);

    public async ValueTask DisposeAsync()
    {
        Tenant.Dispose();
        await Host.DisposeAsync();
        Dir.Dispose();
    }
}
