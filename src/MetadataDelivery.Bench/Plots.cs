using ScottPlot;

namespace MetadataDelivery.Bench;

/// <summary>PNG plots next to the JSON file: deliveries per second over the measured window, and the
/// distribution of renewal lateness.</summary>
public static class Plots
{
    public static IReadOnlyList<string> Write(IReadOnlyList<ScenarioResult> results, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var r in results)
        {
            var file = r.Repeat is { } repeat ? $"{r.Scenario}-{repeat}" : r.Scenario;
            if (r.DeliveriesPerSecondSeries is { Count: > 0 } series)
            {
                var plot = new Plot();
                plot.Add.Scatter(Enumerable.Range(0, series.Count).Select(i => (double)i).ToArray(), series.Select(v => (double)v).ToArray());
                written.Add(Save(plot, $"{r.Scenario}: deliveries per second ({r.Nodes} nodes)", "seconds into the measured window", "deliveries/s",
                    Path.Combine(directory, $"{file}-deliveries.png")));
            }
            if (r.LatenessSamples is { Count: > 0 } lateness)
            {
                var plot = new Plot();
                // all-equal samples (typically every renewal on time: 0 ms) still need a range to bin into
                var (min, max) = (lateness.Min(), lateness.Max());
                var histogram = ScottPlot.Statistics.Histogram.WithBinCount(30, min, max > min ? max : min + 1);
                histogram.AddRange(lateness);
                plot.Add.Bars(histogram.Bins, histogram.Counts);
                written.Add(Save(plot, $"{r.Scenario}: renewal lateness past the latest allowed time", "lateness (ms)", "renewals",
                    Path.Combine(directory, $"{file}-lateness.png")));
            }
        }
        return written;
    }

    private static string Save(Plot plot, string title, string x, string y, string path)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.SavePng(path, 900, 450);
        return path;
    }
}
