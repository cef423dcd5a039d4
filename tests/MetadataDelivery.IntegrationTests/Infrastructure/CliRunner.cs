using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>Runs the built <c>mds</c> CLI as its own process, as a script would.</summary>
public sealed class CliRunner(Uri url)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("no JSON on stdout: " + Stdout);
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    public static string CliDll() =>
        Path.Combine(RepoPaths.Root, "src", "MetadataDelivery.Cli", "bin", RepoPaths.Configuration, "net10.0", "mds.dll");

    public async Task<Result> RunAsync(string? key, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(CliDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MDS_URL"] = url.ToString();
        if (key is null) psi.Environment.Remove("MDS_KEY"); else psi.Environment["MDS_KEY"] = key;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
