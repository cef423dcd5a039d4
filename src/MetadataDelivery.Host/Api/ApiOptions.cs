namespace MetadataDelivery.Host.Api;

/// <summary><c>Mds:Api</c>: limits of the HTTP front door.</summary>
public sealed class ApiOptions
{
    public const string Section = "Mds:Api";

    /// <summary>Sustained requests per second per caller (each tenant, the operator, each anonymous IP).</summary>
    public int RateLimitPerSecond { get; set; } = 50;
    /// <summary>Requests a caller may burst above the sustained rate.</summary>
    public int RateLimitBurst { get; set; } = 100;
}
