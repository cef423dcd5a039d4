namespace MetadataDelivery.Domain.Ids;

/// <summary>One node partition of a service; the sharded entity id is "tenant/service#index".</summary>
public readonly record struct PartitionKey(ServiceKey Service, int Index)
{
    public string EntityId => $"{Service.EntityId}#{Index}";

    public static PartitionKey ParseEntityId(string entityId)
    {
        var hash = entityId.LastIndexOf('#');
        if (hash <= 0 || !int.TryParse(entityId.AsSpan(hash + 1), System.Globalization.NumberStyles.None, null, out var index))
            throw new FormatException($"'{entityId}' is not a tenant/service#partition entity id");
        return new PartitionKey(ServiceKey.ParseEntityId(entityId[..hash]), index);
    }

    public override string ToString() => EntityId;
}
