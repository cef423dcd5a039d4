using System.Text.Json;
using MetadataDelivery.Bench;

BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine("bench: " + ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var results = await BenchRunner.RunAsync(options, Console.WriteLine);
BenchRunner.PrintTable(results, Console.Out);
if (options.JsonPath is { } path)
{
    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, BenchRunner.Json));
    Console.WriteLine($"wrote {Path.GetFullPath(path)}");
    foreach (var png in Plots.Write(results, Path.GetDirectoryName(Path.GetFullPath(path))!)) Console.WriteLine($"wrote {png}");
}
return 0;
