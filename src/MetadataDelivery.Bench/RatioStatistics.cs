namespace MetadataDelivery.Bench;

/// <summary>The spread of one figure over repeated runs: mean, range and a 95 % confidence interval of the mean
/// (Student's t, since a bench run repeats a handful of times, not hundreds).</summary>
public sealed record RatioStatistics(int Runs, double Mean, double Min, double Max, double Ci95Low, double Ci95High)
{
    /// <summary>Two-sided 97.5 % quantiles of Student's t for 1–30 degrees of freedom; beyond, the normal's 1.96.</summary>
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>Null for no values. One value has no spread to estimate: its interval is the value itself.</summary>
    public static RatioStatistics? Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var mean = values.Average();
        var halfWidth = 0.0;
        if (values.Count > 1)
        {
            var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
            var degrees = values.Count - 1;
            var t = degrees <= T975.Length ? T975[degrees - 1] : 1.96;
            halfWidth = t * Math.Sqrt(variance / values.Count);
        }
        return new RatioStatistics(values.Count, mean, values.Min(), values.Max(), mean - halfWidth, mean + halfWidth);
    }
}
