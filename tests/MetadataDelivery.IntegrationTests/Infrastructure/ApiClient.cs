using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A thin client of the control-plane API for tests, speaking plain JSON.</summary>
public sealed class ApiClient(Uri baseAddress, string? key) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public ApiClient WithKey(string? otherKey) => new(baseAddress, otherKey);

    public string? Key => key;

    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, object? body = null, string? rawBody = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (rawBody is not null) request.Content = new StringContent(rawBody, System.Text.Encoding.UTF8, contentType);
        else if (body is not null) request.Content = JsonContent.Create(body);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try { json = JsonNode.Parse(text); } catch (JsonException) { json = JsonValue.Create(text); }
        }
        return (response.StatusCode, json, response);
    }

    public Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public async Task<JsonNode> GetOkAsync(string path)
    {
        var (status, body, _) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path} → {(int)status}: {body?.ToJsonString()}");
        return body!;
    }

    public async Task<string> CreateTenantAsync(string name)
    {
        var (status, body, _) = await PostAsync("/v1/tenants", new { name });
        Assert.True(status == HttpStatusCode.Created, $"create tenant → {(int)status}: {body?.ToJsonString()}");
        return body!["apiKey"]!.GetValue<string>();
    }

    public void Dispose() => _http.Dispose();
}
