using System.Diagnostics;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A member as its own OS process (the built MetadataDelivery.Host), so tests can kill -9 it.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly string _log;
    private readonly string[] _extra;
    public HostArgs Args { get; }
    public ApiClient Operator { get; }

    public HostProcess(HostArgs args, string logPath, params string[] extra)
    {
        Args = args;
        _log = logPath;
        _extra = extra;
        Operator = new ApiClient(args.BaseAddress, args.AdminKey);
    }

    public static string HostDll()
    {
        var dll = Path.Combine(RepoPaths.Root, "src", "MetadataDelivery.Host", "bin", RepoPaths.Configuration, "net10.0", "MetadataDelivery.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first", dll);
    }

    public async Task StartAsync()
    {
        var dll = HostDll();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in Args.ToArgs(_extra)) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var log = new StreamWriter(_log, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var anonymous = Operator.WithKey(null);
        var lastAnswer = "no answer yet";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"host exited with {process.ExitCode}; see {_log}");
                try
                {
                    var (status, _, response) = await anonymous.GetAsync("/healthz/ready");
                    lastAnswer = $"{(int)status} {await response.Content.ReadAsStringAsync()}";
                    return status == System.Net.HttpStatusCode.OK;
                }
                catch (HttpRequestException ex) { lastAnswer = ex.Message; return false; }
                catch (TaskCanceledException) { lastAnswer = "no answer within the client's timeout"; return false; }
            }, TimeSpan.FromSeconds(60), "host process ready");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            // The test's directory, and the log with it, is gone by the time anyone reads the failure: carry its end.
            throw new InvalidOperationException($"{ex.Message}; last readiness answer: {lastAnswer}; end of the member's log ({_log}):\n{LogTail(60)}", ex);
        }
    }

    private string LogTail(int lines) => string.Join('\n', LogLines().TakeLast(lines));

    /// <summary>The first <paramref name="max"/> lines of the member's log (all its runs) that match.</summary>
    public IReadOnlyList<string> LogLinesWhere(Func<string, bool> match, int max) => LogLines().Where(match).Take(max).ToList();

    private string[] LogLines()
    {
        try
        {
            using var reader = new StreamReader(new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd().Split('\n');
        }
        catch (IOException ex) { return [$"(log unreadable: {ex.Message})"]; }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit(10_000);
        _process = null;
    }

    public string Log => File.Exists(_log) ? File.ReadAllText(_log) : "";

    public int? Pid => _process?.Id;

    /// <summary>SIGTERM: the member leaves the cluster gracefully (CoordinatedShutdown hands its shards off).</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process is null) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(true); throw new TimeoutException($"member did not stop within {timeout} after SIGTERM"); }
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Operator.Dispose();
        return ValueTask.CompletedTask;
    }
}
