namespace MetadataDelivery.Bench;

/// <summary>The spread of one figure over repeated runs: mean, range and a 95 % confidence interval of the mean
/// (Student's t, since a bench run repeats a handful of times, not hundreds). Neighbouring repetitions share the baseline
/// run between them, so their ratios are somewhat correlated and the interval is, if anything, a little narrow.</summary>
public sealed record RatioStatistics(int Runs, double Mean, double Min, double Max, double Ci95Low, double Ci95High)
{
    /// <summary>97.5 % quantiles of Student's t for 1–30 degrees of freedom (beyond, <see cref="TQuantileBeyondTable"/>).</summary>
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The Cornish–Fisher expansion of t's 97.5 % quantile around the normal's: within 0.001 of the tables
    /// from 30 degrees of freedom on (2.042 at 30, 2.021 at 40, 1.984 at 99).</summary>
    public static double TQuantileBeyondTable(int degrees)
    {
        const double z = 1.959963984540054;
        double n = degrees;
        return z + (z * z * z + z) / (4 * n)
                 + (5 * Math.Pow(z, 5) + 16 * Math.Pow(z, 3) + 3 * z) / (96 * n * n)
                 + (3 * Math.Pow(z, 7) + 19 * Math.Pow(z, 5) + 17 * Math.Pow(z, 3) - 15 * z) / (384 * n * n * n);
    }

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
            var t = degrees <= T975.Length ? T975[degrees - 1] : TQuantileBeyondTable(degrees);
            halfWidth = t * Math.Sqrt(variance / values.Count);
        }
        return new RatioStatistics(values.Count, mean, values.Min(), values.Max(), mean - halfWidth, mean + halfWidth);
    }
}
