using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetadataDelivery.IntegrationTests.Infrastructure;

namespace MetadataDelivery.IntegrationTests;

/// <summary>The README's walkthrough, run as written: the bash block between its walkthrough markers, from the
/// repository's root, in bash, with curl and jq. It starts its own member and agent on the README's ports (8080, 4053,
/// 7071), so it runs alone (<see cref="SoleHostCollection"/>).</summary>
[Collection(SoleHostCollection.Name)]
public sealed class WalkthroughTests(ITestOutputHelper output)
{
    private const string Begin = "<!-- walkthrough:begin -->";
    private const string End = "<!-- walkthrough:end -->";

    [Fact]
    public async Task The_readme_walkthrough_runs_as_written_and_ends_with_an_acknowledged_forced_delivery()
    {
        foreach (var tool in new[] { "bash", "curl", "jq" })
            Assert.True(OnPath(tool), $"the walkthrough needs {tool} on PATH (.ci/run installs it)");
        foreach (var port in new[] { 8080, 4053, 7071 })
            Assert.True(IsFree(port), $"port {port} is taken: the walkthrough uses the README's ports");

        var script = WalkthroughScript(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")));
        using var dir = new TestDirectory();
        // Harness only: any failing command fails the run, and whatever the block started is stopped even then.
        var (exit, stdout, stderr) = await RunBashAsync("set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script, dir.Path, TimeSpan.FromMinutes(5));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("command not found", stderr);
        Assert.Contains("Healthy", stdout);
        Assert.Contains("\"state\": \"delivered\"", stdout); // step 4: the node view
        Assert.Contains("envelope.json", stdout);              // step 4: the agent's files
        Assert.Contains("payload", stdout);
        // step 5: the forced delivery's answer is the only JSON with a deliveryId
        var forced = stdout[stdout.LastIndexOf('{')..];
        Assert.Contains("\"deliveryId\"", forced);
        Assert.Contains("\"version\": \"sha256:", forced);
        Assert.Contains("\"deliveredAt\"", forced);
        // Nothing the block printed is a key or a secret.
        Assert.DoesNotContain("mds_", stdout);
        // The agent's log (in the block's mktemp directory) shows the reload hook's output and no stray "(null)".
        var agentLog = File.ReadAllText(Directory.GetFiles(dir.Path, "agent.log", SearchOption.AllDirectories).Single());
        Assert.Contains("reload hook for payments ran: reloaded ", agentLog);
        Assert.DoesNotContain("(null)", agentLog);
    }

    /// <summary>The fenced bash block between the markers, without its fences.</summary>
    private static string WalkthroughScript(string readme)
    {
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md has no walkthrough markers");
        var lines = readme[(begin + Begin.Length)..end].Trim().Split('\n').ToList();
        Assert.Equal("```bash", lines[0].Trim());
        Assert.Equal("```", lines[^1].Trim());
        return string.Join('\n', lines.Skip(1).SkipLast(1)) + "\n";
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunBashAsync(string script, string tmp, TimeSpan limit)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root };
        psi.Environment["TMPDIR"] = tmp; // mktemp -d lands in the test's directory, removed with it
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the walkthrough did not finish within {limit}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }
}
