namespace MetadataDelivery.Domain.Ids;

/// <summary>Identifies one service of one tenant; the sharded entity id is "tenant/service".</summary>
public readonly record struct ServiceKey(string Tenant, string Service)
{
    public string EntityId => $"{Tenant}/{Service}";

    public static ServiceKey ParseEntityId(string entityId)
    {
        var slash = entityId.IndexOf('/');
        if (slash <= 0 || slash == entityId.Length - 1)
            throw new FormatException($"'{entityId}' is not a tenant/service entity id");
        return new ServiceKey(entityId[..slash], entityId[(slash + 1)..]);
    }

    public override string ToString() => EntityId;
}
