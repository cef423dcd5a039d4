using System.CommandLine;

namespace MetadataDelivery.Cli;

public static class CliApp
{
    public const string ExitCodeHelp = """
        Exit codes: 0 ok · 1 other API error · 2 usage or invalid input (400) · 3 not found (404)
                    4 missing/wrong/insufficient key (401/403) · 5 unreachable, 5xx, 429, or --wait timed out · 6 conflict (409)
        """;

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("mds: the Metadata Delivery System CLI (onboarding, delivery status, cluster operations).\n" + ExitCodeHelp);
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(TenantCommands.Build(stdout, stderr));
        root.Subcommands.Add(ServiceCommands.Build(stdout, stderr));
        root.Subcommands.Add(NodeCommands.Build(stdout, stderr));
        root.Subcommands.Add(ClusterCommands.BuildCluster(stdout, stderr));
        root.Subcommands.Add(ClusterCommands.BuildSharding(stdout, stderr));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var parse = Build(stdout, stderr).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is null)
        {
            foreach (var e in parse.Errors) await stderr.WriteLineAsync("mds: " + e.Message);
            return ExitCodes.Usage;
        }
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
