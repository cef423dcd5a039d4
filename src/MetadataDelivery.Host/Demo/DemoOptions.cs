namespace MetadataDelivery.Host.Demo;

/// <summary><c>Mds:Demo</c>: a local fleet and a demo service on builtin:ca, for a first look.</summary>
public sealed class DemoOptions
{
    public const string Section = "Mds:Demo";

    public bool Enabled { get; set; }
    public int Nodes { get; set; } = 300;
    public string Tenant { get; set; } = "demo";
    public string Service { get; set; } = "demo-fleet";
    public string Ttl { get; set; } = "PT30S";
    public double RenewAt { get; set; } = 0.5;
    /// <summary>0 picks a free loopback port.</summary>
    public int FleetPort { get; set; }
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);
}
