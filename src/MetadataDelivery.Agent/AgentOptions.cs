namespace MetadataDelivery.Agent;

/// <summary>The <c>Agent</c> configuration section.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>This node's id, as in the node map. Pushes for another node are refused.</summary>
    public string? Node { get; set; }
    public string DataDir { get; set; } = "/var/lib/mds-agent";
    public string Path { get; set; } = "/v1/metadata";
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>The control-plane URL; when set, the agent pulls its current metadata on start.</summary>
    public string? ApiUrl { get; set; }
    public List<AgentServiceOptions> Services { get; set; } = [];
}

public sealed class AgentServiceOptions
{
    public string Tenant { get; set; } = "";
    public string Service { get; set; } = "";
    /// <summary>The service's deliverySecret; during a rotation, list the new one in <see cref="Secrets"/> too.</summary>
    public string? Secret { get; set; }
    public List<string> Secrets { get; set; } = [];
    /// <summary>Run after new metadata is written, e.g. <c>systemctl reload nginx</c>. Optional.</summary>
    public string? ReloadCommand { get; set; }
    public TimeSpan ReloadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> AllSecrets() => (Secret is null ? Secrets : Secrets.Prepend(Secret)).Where(s => !string.IsNullOrEmpty(s));
}
