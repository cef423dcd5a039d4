namespace MetadataDelivery.Domain.Delivery;

/// <summary>CONTRACT §2 node states. The wire names are the lowercase forms.</summary>
public enum NodeState
{
    /// <summary>Known, not yet acknowledged anything.</summary>
    Pending,
    /// <summary>Holds an acknowledged, unexpired item.</summary>
    Delivered,
    /// <summary>The last attempt failed; retries are scheduled before the deadline.</summary>
    Retrying,
    /// <summary>Its item expired (or it never got one within a lifetime) undelivered: alarmed.</summary>
    Expired,
}

public static class NodeStateNames
{
    public static string ToWire(this NodeState state) => state switch
    {
        NodeState.Pending => "pending",
        NodeState.Delivered => "delivered",
        NodeState.Retrying => "retrying",
        NodeState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string? wire, out NodeState state)
    {
        foreach (var s in Enum.GetValues<NodeState>())
            if (s.ToWire() == wire) { state = s; return true; }
        state = default;
        return false;
    }
}
