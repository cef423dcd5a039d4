namespace MetadataDelivery.Host;

/// <summary><c>MetadataDelivery.Host probe [url]</c>: exits 0 when the URL (default: this member's readiness) answers
/// 200, 1 otherwise. It is the container healthcheck: the aspnet image has no curl or wget, and its /bin/sh is dash,
/// which has no /dev/tcp.</summary>
public static class HealthProbe
{
    public const string Verb = "probe";
    public const string DefaultUrl = "http://127.0.0.1:8080/healthz/ready";

    public static bool IsProbe(string[] args) => args.Length >= 1 && args[0] == Verb;

    public static async Task<int> RunAsync(string[] args, TextWriter stderr)
    {
        var target = args.Length >= 2 ? args[1] : DefaultUrl;
        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync($"probe: '{target}' is not an http(s) URL");
            return 2;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url);
            if (response.IsSuccessStatusCode) return 0;
            await stderr.WriteLineAsync($"probe: {url} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"probe: {url}: {ex.Message}");
            return 1;
        }
    }
}
