using System.Collections.Concurrent;
using System.Diagnostics;

namespace MetadataDelivery.Agent;

/// <summary>Runs a service's reload command after new metadata lands: one at a time per service, bounded by
/// a timeout, killed when it overruns. A failing hook is logged; it never fails the push or the agent.</summary>
public sealed class ReloadHook(ILogger<ReloadHook> log)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

    public void RunInBackground(AgentServiceOptions service, string directory)
    {
        if (string.IsNullOrWhiteSpace(service.ReloadCommand)) return;
        _ = Task.Run(() => RunAsync(service, directory));
    }

    public async Task RunAsync(AgentServiceOptions service, string directory)
    {
        var gate = _gates.GetOrAdd(service.Tenant + "/" + service.Service, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(service.ReloadCommand!);
            psi.Environment["MDS_METADATA_DIR"] = directory;
            psi.Environment["MDS_PAYLOAD"] = Path.Combine(directory, MetadataStore.PayloadFile);
            using var process = Process.Start(psi)!;
            using var cts = new CancellationTokenSource(service.ReloadTimeout);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                log.LogError("reload hook for {Service} timed out after {Timeout} and was killed", service.Service, service.ReloadTimeout);
                return;
            }
            var output = HookOutput(await stdout, await stderr);
            if (process.ExitCode != 0)
                log.LogError("reload hook for {Service} exited {Code}: {Output}", service.Service, process.ExitCode, output);
            else
                log.LogInformation("reload hook for {Service} ran: {Output}", service.Service, output);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "reload hook for {Service} could not run", service.Service);
        }
        finally { gate.Release(); }
    }

    /// <summary>What the hook printed, both streams, cut to a log line's worth.</summary>
    public static string HookOutput(string stdout, string stderr)
    {
        const int max = 2000;
        var text = string.Join(" | ", new[] { stdout.Trim(), stderr.Trim() }.Where(t => t.Length > 0));
        if (text.Length == 0) return "(no output)";
        return text.Length <= max ? text : text[..max] + $"… ({text.Length - max} more characters)";
    }
}
