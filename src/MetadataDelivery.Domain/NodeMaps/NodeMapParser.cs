using System.Text;
using System.Text.Json;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>Streaming parser for the CONTRACT §4 node map. It reads the stream through one small,
/// reused buffer (the raw document is never held whole), validates every node and rejects the map
/// whole on the first problem, reporting the byte offset and node.</summary>
public static class NodeMapParser
{
    private const int InitialBuffer = 64 * 1024;

    public static NodeMapParseResult Parse(Stream stream, NodeMapLimits limits) =>
        ParseAsync(stream, limits, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<NodeMapParseResult> ParseAsync(Stream stream, NodeMapLimits limits, CancellationToken ct)
    {
        var machine = new Machine(limits);
        var buffer = new byte[InitialBuffer];
        var length = 0;
        long consumedBefore = 0;
        var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        var final = false;
        var skippedBom = false; // a UTF-8 byte-order mark, as Windows editors write, is not an error
        try
        {
            while (true)
            {
                if (!final)
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    var read = await stream.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct);
                    if (read == 0) final = true;
                    length += read;
                    if (consumedBefore + length > limits.MaxBytes)
                        return NodeMapParseResult.Invalid($"node map is larger than the limit of {limits.MaxBytes} bytes");
                }
                if (consumedBefore == 0 && !skippedBom && (length >= 3 || final))
                {
                    skippedBom = true;
                    if (length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                    {
                        Buffer.BlockCopy(buffer, 3, buffer, 0, length - 3);
                        length -= 3;
                        consumedBefore = 3;
                    }
                }
                if (consumedBefore == 0 && !skippedBom) continue; // fewer than 3 bytes so far: read more before deciding
                var consumed = machine.Feed(buffer.AsSpan(0, length), final, ref state, consumedBefore);
                if (machine.Error is not null) return NodeMapParseResult.Invalid(machine.Error);
                consumedBefore += consumed;
                Buffer.BlockCopy(buffer, (int)consumed, buffer, 0, length - (int)consumed);
                length -= (int)consumed;
                if (final) break;
            }
        }
        catch (JsonException ex)
        {
            // The reader's line and byte-in-line are 0-based and carried across buffer refills by its state.
            var where = ex.LineNumber is { } line && ex.BytePositionInLine is { } column
                ? $"line {line + 1}, byte {column + 1} of the line (after byte offset {machine.LastTokenEnd})"
                : $"after byte offset {machine.LastTokenEnd}";
            return NodeMapParseResult.Invalid($"invalid JSON at {where}: {StripPosition(ex.Message)}");
        }
        if (!machine.Done) return NodeMapParseResult.Invalid("node map ended before the document was complete");
        if (!machine.SawNodes) return NodeMapParseResult.Invalid("node map has no \"nodes\" array");
        return NodeMapParseResult.Ok(machine.Nodes);
    }

    private static string StripPosition(string message)
    {
        var i = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return i > 0 ? message[..i].TrimEnd() : message;
    }

    private enum Phase { Start, Root, ExpectNodesArray, NodesArray, InNode, Done }

    private sealed class Machine(NodeMapLimits limits)
    {
        public List<NodeEntry> Nodes { get; } = [];
        public string? Error { get; private set; }
        public bool Done => _phase == Phase.Done;
        public bool SawNodes { get; private set; }
        /// <summary>Where the last token read whole ended: a syntax error lies at or after it.</summary>
        public long LastTokenEnd { get; private set; }

        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private Phase _phase = Phase.Start;
        private int _skipDepth;          // > 0 while skipping an unknown value
        private bool _skipPending;       // the next token starts a value to skip
        private string? _pendingProperty; // in a node: "id" or "address" awaiting its value
        private string? _id, _address;
        private long _nodeStart;

        public long Feed(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, long offset)
        {
            var reader = new Utf8JsonReader(data, final, state);
            while (Error is null && reader.Read())
            {
                LastTokenEnd = offset + reader.BytesConsumed;
                var position = offset + reader.TokenStartIndex;
                if (_skipPending || _skipDepth > 0) { Skip(ref reader); continue; }
                switch (_phase)
                {
                    case Phase.Start:
                        if (reader.TokenType != JsonTokenType.StartObject) Fail(position, "the document must be a JSON object {\"nodes\":[...]}");
                        else _phase = Phase.Root;
                        break;
                    case Phase.Root:
                        if (reader.TokenType == JsonTokenType.EndObject) { _phase = Phase.Done; break; }
                        if (reader.ValueTextEquals("nodes"u8))
                        {
                            if (SawNodes) { Fail(position, "\"nodes\" appears twice"); break; }
                            _phase = Phase.ExpectNodesArray;
                        }
                        else _skipPending = true;
                        break;
                    case Phase.ExpectNodesArray:
                        if (reader.TokenType != JsonTokenType.StartArray) { Fail(position, "\"nodes\" must be an array"); break; }
                        SawNodes = true;
                        _phase = Phase.NodesArray;
                        break;
                    case Phase.NodesArray:
                        if (reader.TokenType == JsonTokenType.EndArray) { _phase = Phase.Root; break; }
                        if (reader.TokenType != JsonTokenType.StartObject) { Fail(position, $"node #{Nodes.Count + 1} must be an object"); break; }
                        _phase = Phase.InNode; _id = _address = null; _pendingProperty = null; _nodeStart = position;
                        break;
                    case Phase.InNode:
                        InNode(ref reader, position);
                        break;
                    case Phase.Done:
                        Fail(position, "unexpected content after the document");
                        break;
                }
            }
            state = reader.CurrentState;
            return reader.BytesConsumed;
        }

        private void InNode(ref Utf8JsonReader reader, long position)
        {
            if (_pendingProperty is not null)
            {
                if (reader.TokenType != JsonTokenType.String) { Fail(position, $"node #{Nodes.Count + 1}: \"{_pendingProperty}\" must be a string"); return; }
                var value = reader.GetString();
                if (_pendingProperty == "id") _id = value; else _address = value;
                _pendingProperty = null;
                return;
            }
            if (reader.TokenType == JsonTokenType.EndObject) { CompleteNode(); return; }
            if (reader.ValueTextEquals("id"u8)) _pendingProperty = "id";
            else if (reader.ValueTextEquals("address"u8)) _pendingProperty = "address";
            else _skipPending = true;
        }

        private void CompleteNode()
        {
            var n = Nodes.Count + 1;
            if (_id is null) { Fail(_nodeStart, $"node #{n} has no \"id\""); return; }
            if (!Names.IsValidNodeId(_id)) { Fail(_nodeStart, $"node #{n}: id '{Truncate(_id)}' is invalid: must be {Names.NodeIdRule}"); return; }
            if (_address is null) { Fail(_nodeStart, $"node '{_id}' (#{n}) has no \"address\""); return; }
            if (!NodeAddress.IsValid(_address)) { Fail(_nodeStart, $"node '{_id}' (#{n}): address '{Truncate(_address)}' is not host, host:port or [ipv6]:port"); return; }
            if (!_ids.Add(_id)) { Fail(_nodeStart, $"node '{_id}' (#{n}) is listed more than once"); return; }
            if (Nodes.Count >= limits.MaxNodes) { Fail(_nodeStart, $"node map has more than the limit of {limits.MaxNodes} nodes"); return; }
            Nodes.Add(new NodeEntry(_id, _address));
            _phase = Phase.NodesArray;
        }

        private void Skip(ref Utf8JsonReader reader)
        {
            _skipPending = false;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) _skipDepth++;
            else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) _skipDepth--;
        }

        private void Fail(long offset, string message) => Error ??= $"{message} (byte offset {offset})";

        private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
    }
}
