using System.Globalization;
using MetadataDelivery.Domain.NodeMaps;

namespace MetadataDelivery.Engine.NodeMaps;

/// <summary><c>file:///absolute/path</c> node maps (embedded deployments, demos, tests). The ETag is the
/// file's modification time and length, so an unchanged file costs one stat.</summary>
public sealed class FileNodeMapSource(NodeMapLimits limits) : INodeMapSource
{
    public bool CanRead(Uri location) => location.IsFile;

    public async Task<NodeMapFetch> FetchAsync(Uri location, string? etag, CancellationToken ct)
    {
        var path = location.LocalPath;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return new NodeMapFetch.Failed($"node map file {path} does not exist");
            var current = string.Create(CultureInfo.InvariantCulture, $"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}");
            if (current == etag) return new NodeMapFetch.NotModified();
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
            var result = await NodeMapParser.ParseAsync(stream, limits, ct);
            return new NodeMapFetch.Read(result, current);
        }
        catch (IOException ex) { return new NodeMapFetch.Failed($"cannot read node map file {path}: {ex.Message}"); }
        catch (UnauthorizedAccessException ex) { return new NodeMapFetch.Failed($"cannot read node map file {path}: {ex.Message}"); }
    }
}
