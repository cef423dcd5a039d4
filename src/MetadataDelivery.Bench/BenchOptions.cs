using System.Globalization;
using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Bench;

/// <summary>Command line of the bench tool. Durations accept ISO 8601, hh:mm:ss, or "60s".</summary>
public sealed record BenchOptions
{
    public IReadOnlyList<string> Scenarios { get; init; } = ["steady"];
    public int Nodes { get; init; } = 10_000;
    public int Services { get; init; } = 10;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The compressed clock: an item's lifetime in the bench (an hour in production).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(60);
    public double RenewAt { get; init; } = 0.5;
    public int PayloadBytes { get; init; } = 10 * 1024;
    public int ForceSamples { get; init; } = 50;
    public int MaxInFlight { get; init; } = 512;
    public int MaxPushesPerSecond { get; init; } = 5000;
    /// <summary>Each service's maxConcurrency (attempts in flight).</summary>
    public int MaxConcurrency { get; init; } = 256;
    /// <summary>Registrations in flight at once through the API (the services register while the first ones deliver).</summary>
    public int RegisterConcurrency { get; init; } = 8;
    public string? JsonPath { get; init; }
    /// <summary>The longest a scenario waits for the JIT to settle before its measured window opens.</summary>
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Measure the raw baselines again after the system's scenarios (see BenchRunner).</summary>
    public bool RerunBaselines { get; init; } = true;
    /// <summary>Runs the scenario list this many times in a row (the peer only the first time), for the spread of the ratios.</summary>
    public int Repeat { get; init; } = 1;
    public const int MaxRepeat = 100;

    public const string Usage = """
        usage: MetadataDelivery.Bench --scenario steady|rotation|force|raw|raw-fetch|peer|all [--nodes N] [--services S]
               [--duration 60s] [--ttl 60s] [--renew-at 0.5] [--payload-bytes 10240] [--force-samples 50]
               [--max-in-flight 512] [--max-pushes 5000] [--max-concurrency 256] [--register-concurrency 8] [--max-warmup 30s] [--no-rerun-baselines]
               [--repeat 1] [--json PATH]
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--scenario" => o with { Scenarios = Next() is var s && s == "all" ? ["raw", "raw-fetch", "peer", "rotation", "steady", "force"] : s.Split(',') },
                "--nodes" => o with { Nodes = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--services" => o with { Services = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--duration" => o with { Duration = ParseDuration(Next()) },
                "--ttl" => o with { Ttl = ParseDuration(Next()) },
                "--renew-at" => o with { RenewAt = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--payload-bytes" => o with { PayloadBytes = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--force-samples" => o with { ForceSamples = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-in-flight" => o with { MaxInFlight = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-pushes" => o with { MaxPushesPerSecond = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-concurrency" => o with { MaxConcurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--register-concurrency" => o with { RegisterConcurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--json" => o with { JsonPath = Next() },
                "--max-warmup" => o with { MaxWarmup = ParseDuration(Next()) },
                "--no-rerun-baselines" => o with { RerunBaselines = false },
                "--repeat" => o with { Repeat = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }
        if (o.Nodes < o.Services || o.Services < 1) throw new ArgumentException("--nodes must be at least --services, which must be at least 1");
        // The services are registered through the API: refuse here what its validation would refuse mid-run.
        if (o.Ttl < ServiceSpecValidator.MinTtl || o.Ttl > ServiceSpecValidator.MaxTtl)
            throw new ArgumentException($"--ttl must be between {ServiceSpecValidator.MinTtl.TotalSeconds:0}s and {ServiceSpecValidator.MaxTtl.TotalDays:0} days (the API's limits)");
        if (!ServiceSpecValidator.IsValidRenewAt(o.RenewAt)) throw new ArgumentException("--renew-at must be " + ServiceSpecValidator.RenewAtRange);
        if (o.RegisterConcurrency < 1 || o.RegisterConcurrency > 256) throw new ArgumentException("--register-concurrency must be between 1 and 256");
        if (o.MaxConcurrency < 1 || o.MaxConcurrency > ServiceSpecValidator.MaxMaxConcurrency)
            throw new ArgumentException($"--max-concurrency must be between 1 and {ServiceSpecValidator.MaxMaxConcurrency}");
        if (o.Repeat < 1 || o.Repeat > MaxRepeat) throw new ArgumentException($"--repeat must be between 1 and {MaxRepeat}");
        if (o.Duration <= TimeSpan.Zero) throw new ArgumentException("--duration must be positive");
        if (o.PayloadBytes < 1 || o.MaxInFlight < 1 || o.MaxPushesPerSecond < 1 || o.ForceSamples < 0)
            throw new ArgumentException("--payload-bytes, --max-in-flight and --max-pushes must be at least 1, --force-samples at least 0");
        foreach (var s in o.Scenarios)
            if (s is not ("steady" or "rotation" or "force" or "raw" or "raw-fetch" or "peer")) throw new ArgumentException($"unknown scenario '{s}'");
        if (o.Repeat > 1 && o.Scenarios.Count != o.Scenarios.Distinct().Count())
            throw new ArgumentException("with --repeat, list each scenario once (the repetitions are what repeats it)");
        return o;
    }

    private static TimeSpan ParseDuration(string text) =>
        text.EndsWith('s') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds)
        : Durations.TryParse(text, out var d) ? d : throw new ArgumentException($"'{text}' is not a duration");
}
