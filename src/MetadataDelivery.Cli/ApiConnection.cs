using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

/// <summary>One API call: the status, the JSON answer, and for errors the problem+json's title and detail.</summary>
public sealed record ApiAnswer(int Status, JsonNode? Body)
{
    public bool Ok => Status is >= 200 and < 300;

    public string Problem
    {
        get
        {
            if (Body is not JsonObject o) return $"HTTP {Status}";
            var text = new StringBuilder($"{o["title"]?.GetValue<string>() ?? "error"} (HTTP {Status})");
            if (o["detail"]?.GetValue<string>() is { } detail) text.Append(": ").Append(detail);
            if (o["errors"] is JsonObject errors)
                foreach (var (name, messages) in errors)
                    text.Append(Environment.NewLine).Append("  ").Append(name).Append(": ").Append(string.Join("; ", messages!.AsArray().Select(m => m!.GetValue<string>())));
            return text.ToString();
        }
    }
}

/// <summary>Talks to one member's HTTP API with a bearer key.</summary>
public sealed class ApiConnection(Uri baseUrl, string? key, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = timeout };

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(key)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try { json = JsonNode.Parse(text); } catch (JsonException) { json = JsonValue.Create(text); }
        }
        return new ApiAnswer((int)response.StatusCode, json);
    }

    /// <summary>Follows <c>nextCursor</c> through every page of a list route; the first failing page is returned as is.</summary>
    public async Task<ApiAnswer> GetAllPagesAsync(string path, CancellationToken ct)
    {
        var items = new JsonArray();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var answer = await SendAsync(HttpMethod.Get, $"{path}{separator}limit=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), ct: ct);
            if (!answer.Ok) return answer;
            foreach (var item in answer.Body!["items"]!.AsArray()) items.Add(item!.DeepClone());
            cursor = answer.Body["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return new ApiAnswer(200, new JsonObject { ["items"] = items });
    }

    public void Dispose() => _http.Dispose();
}
