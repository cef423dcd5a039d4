namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>One node of a node map: its id and where its agent listens (host, or host:port).</summary>
public sealed record NodeEntry(string Id, string Address);
