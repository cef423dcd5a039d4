using System.Diagnostics;
using System.Runtime;

namespace MetadataDelivery.Bench;

/// <summary>Waits until the JIT has (nearly) stopped compiling before a measured window starts. A first pass over
/// the fleet is not enough: tiered compilation keeps recompiling hot code at tier 1 for seconds after it (measured:
/// up to 0.7 s of JIT per second for the first 15 s of a steady window), which would be charged to whichever
/// scenario has the most code.</summary>
public static class JitWarmup
{
    /// <summary>JIT time per wall-clock second below which a second counts as quiet.</summary>
    private static readonly TimeSpan QuietJitPerSecond = TimeSpan.FromMilliseconds(50);
    private const int QuietSecondsNeeded = 2;

    public static async Task UntilJitSettlesAsync(string scenario, TimeSpan maxWait, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var last = JitInfo.GetCompilationTime();
        var quiet = 0;
        while (quiet < QuietSecondsNeeded && clock.Elapsed < maxWait)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = JitInfo.GetCompilationTime();
            quiet = now - last < QuietJitPerSecond ? quiet + 1 : 0;
            last = now;
        }
        log(quiet >= QuietSecondsNeeded
            ? $"{scenario}: warm-up done, the JIT settled after {clock.Elapsed.TotalSeconds:0} s"
            : $"{scenario}: note: the JIT was still busy after {maxWait.TotalSeconds:0} s of warm-up; measuring anyway (see jit %)");
    }

    /// <summary>JIT time within a window, as a share of the machine (like cpu %).</summary>
    public static double PercentOfMachine(TimeSpan jitAtStart, double elapsedSeconds) =>
        MachineShare.Percent(JitInfo.GetCompilationTime() - jitAtStart, elapsedSeconds);
}
