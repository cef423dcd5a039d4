using MetadataDelivery.Bench;

namespace MetadataDelivery.IntegrationTests;

/// <summary>The spread the bench reports for repeated runs (pure: no runs here).</summary>
public sealed class BenchRatioStatisticsTests
{
    [Fact]
    public void Seven_ratios_give_their_mean_range_and_a_t_interval()
    {
        // The seventh round's seven ratios to raw (docs/benchmarks.md).
        var s = RatioStatistics.Of([0.48, 0.54, 0.54, 0.60, 0.55, 0.49, 0.50])!;
        Assert.Equal(7, s.Runs);
        Assert.Equal(0.528571, s.Mean, 6);
        Assert.Equal(0.48, s.Min);
        Assert.Equal(0.60, s.Max);
        // sample standard deviation 0.041805; t(6, 0.975) = 2.447; half width 2.447 × 0.041805 / √7 = 0.038664
        Assert.Equal(0.489907, s.Ci95Low, 5);
        Assert.Equal(0.567236, s.Ci95High, 5);
    }

    [Fact]
    public void Two_ratios_use_the_wide_t_quantile_and_many_the_expansion_beyond_the_table()
    {
        var two = RatioStatistics.Of([0.4, 0.6])!;
        Assert.Equal(0.5 - 12.706 * 0.1, two.Ci95Low, 6); // sd 0.141421, / √2 = 0.1
        var many = RatioStatistics.Of(Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 0.4 : 0.6).ToList())!;
        var sd = Math.Sqrt(40 * 0.01 / 39);
        Assert.Equal(0.5 + RatioStatistics.TQuantileBeyondTable(39) * sd / Math.Sqrt(40), many.Ci95High, 9);
    }

    [Theory]
    [InlineData(30, 2.042)]
    [InlineData(40, 2.021)]
    [InlineData(60, 2.000)]
    [InlineData(99, 1.984)]
    public void Beyond_the_table_t_follows_the_published_quantiles(int degrees, double published) =>
        Assert.Equal(published, RatioStatistics.TQuantileBeyondTable(degrees), 3);

    [Fact]
    public void One_ratio_is_its_own_interval_and_none_gives_nothing()
    {
        var one = RatioStatistics.Of([0.53])!;
        Assert.Equal((0.53, 0.53, 0.53), (one.Mean, one.Ci95Low, one.Ci95High));
        Assert.Null(RatioStatistics.Of([]));
    }
}
