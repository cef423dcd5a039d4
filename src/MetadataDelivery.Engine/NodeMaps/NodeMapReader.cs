namespace MetadataDelivery.Engine.NodeMaps;

/// <summary>Dispatches a node-map location to the source that can read it.</summary>
public sealed class NodeMapReader(IEnumerable<INodeMapSource> sources)
{
    private readonly INodeMapSource[] _sources = sources.ToArray();

    public Task<NodeMapFetch> FetchAsync(string location, string? etag, CancellationToken ct)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri))
            return Task.FromResult<NodeMapFetch>(new NodeMapFetch.Failed($"'{location}' is not an absolute URI"));
        var source = _sources.FirstOrDefault(s => s.CanRead(uri));
        return source is null
            ? Task.FromResult<NodeMapFetch>(new NodeMapFetch.Failed($"no node-map reader for scheme '{uri.Scheme}' in this build"))
            : source.FetchAsync(uri, etag, ct);
    }
}
