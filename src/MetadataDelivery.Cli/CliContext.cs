using System.CommandLine;

namespace MetadataDelivery.Cli;

/// <summary>What every command needs: the API connection and the output, built from the global options.</summary>
public sealed class CliContext(ApiConnection api, Output output)
{
    public ApiConnection Api { get; } = api;
    public Output Out { get; } = output;

    /// <summary>Prints the answer (JSON, or the given human rendering) and maps its status to an exit code.</summary>
    public int Render(ApiAnswer answer, Action<ApiAnswer>? human = null)
    {
        if (!answer.Ok)
        {
            if (Out.Json) Out.Raw(answer.Body);
            Out.Error(answer.Problem);
            return ExitCodes.ForStatus(answer.Status);
        }
        if (Out.Json || human is null) Out.Raw(answer.Body);
        else human(answer);
        return ExitCodes.Ok;
    }
}

public static class GlobalOptions
{
    public static readonly Option<string> Url = new("--url")
    {
        Description = "API base URL (env MDS_URL; default http://localhost:8080)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MDS_URL") ?? "http://localhost:8080",
    };

    // No DefaultValueFactory: help shows an option's default, and a key read from the environment would be printed
    // in full after any usage error. The environment is read when the command runs (KeyOf).
    public static readonly Option<string?> Key = new("--key")
    {
        Description = "API key: the operator key or a tenant key (env MDS_KEY)",
        Recursive = true,
    };

    public static string? KeyOf(ParseResult parse) => parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("MDS_KEY");

    public static readonly Option<bool> Json = new("--json") { Description = "Print the API's JSON instead of tables", Recursive = true };

    public static readonly Option<int> Timeout = new("--timeout")
    {
        Description = "Seconds to wait for each API call (default 30)",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Json);
        root.Options.Add(Timeout);
    }
}

public static class CommandExtensions
{
    /// <summary>Runs a command body with a connection, turning transport failures into exit code 5.</summary>
    public static void Runs(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, TextWriter stdout, TextWriter stderr) =>
        command.SetAction(async (parse, ct) =>
        {
            var output = new Output(stdout, stderr, parse.GetValue(GlobalOptions.Json));
            if (!Uri.TryCreate(parse.GetValue(GlobalOptions.Url), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                output.Error("--url must be an absolute http(s) URL");
                return ExitCodes.Usage;
            }
            var timeout = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(GlobalOptions.Timeout), 1, 3600));
            using var api = new ApiConnection(url, GlobalOptions.KeyOf(parse), timeout);
            try
            {
                return await body(parse, new CliContext(api, output), ct);
            }
            catch (HttpRequestException ex)
            {
                output.Error($"cannot reach {url}: {ex.Message}");
                return ExitCodes.Unavailable;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                output.Error($"{url} did not answer within {timeout.TotalSeconds:0} s");
                return ExitCodes.Unavailable;
            }
        });
}
