using MetadataDelivery.Domain.NodeMaps;

namespace MetadataDelivery.Engine.NodeMaps;

/// <summary>The outcome of reading a node map: unchanged since <c>etag</c>, a parse result, or a read failure.</summary>
public abstract record NodeMapFetch
{
    public sealed record NotModified : NodeMapFetch;
    public sealed record Read(NodeMapParseResult Result, string? ETag) : NodeMapFetch;
    public sealed record Failed(string Error) : NodeMapFetch;
}

/// <summary>Reads node maps from one kind of location (file://, s3://, …) with a conditional read.</summary>
public interface INodeMapSource
{
    bool CanRead(Uri location);
    Task<NodeMapFetch> FetchAsync(Uri location, string? etag, CancellationToken ct);
}
