namespace MetadataDelivery.Host.Auth;

/// <summary>Who is calling: the operator, one tenant, or nobody (no or unknown key).</summary>
public abstract record Caller
{
    public sealed record Operator : Caller;
    public sealed record Tenant(string Name) : Caller;
    public sealed record Anonymous(bool KeyGiven) : Caller;

    public static Caller Of(HttpContext http) => http.Items[nameof(Caller)] as Caller ?? new Anonymous(false);
}
