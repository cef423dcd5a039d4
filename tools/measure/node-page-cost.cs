#:project ../../src/MetadataDelivery.Domain/MetadataDelivery.Domain.csproj
#:property PublishAot=false
// Compares the cost of one node-list page (1,001 nodes after a cursor, as the API asks a partition) taken
// by NodeTable.FirstSlotsAfter with the way pages were taken before it: every id built as a string, sorted,
// then cut. Both run in this process over the same table; reported as time and bytes allocated per page.
// Usage (see docs/benchmarks.md): dotnet run -c Release tools/measure/node-page-cost.cs -- [nodes]
using System.Diagnostics;
using MetadataDelivery.Domain.Partitions;

var nodes = args.Length > 0 ? int.Parse(args[0]) : 20_000;
var table = new NodeTable();
var at = DateTimeOffset.UtcNow;
for (var i = 0; i < nodes; i++) table.Set($"node-{(i * 7919L) % nodes:D8}", "127.0.0.1:7070", at);
var cursor = $"node-{nodes / 2:D8}";
const int PageSize = 1001;

List<int> SortEveryId() => table.Slots
    .Select(slot => (Id: table.IdOf(slot), Slot: slot))
    .Where(n => string.CompareOrdinal(n.Id, cursor) > 0)
    .OrderBy(n => n.Id, StringComparer.Ordinal)
    .Take(PageSize)
    .Select(n => n.Slot)
    .ToList();

List<int> FirstSlotsAfter() => table.FirstSlotsAfter(cursor, PageSize);

if (!SortEveryId().SequenceEqual(FirstSlotsAfter())) throw new InvalidOperationException("the two pages differ");
var baseline = Measure(SortEveryId);
var paged = Measure(FirstSlotsAfter);
Console.WriteLine($"{nodes:N0} nodes, page of {PageSize} after the middle:");
Console.WriteLine($"  sort every id (before): {baseline.Ms,8:0.000} ms  {baseline.Bytes / 1024.0,10:N1} KB allocated per page");
Console.WriteLine($"  FirstSlotsAfter (now):  {paged.Ms,8:0.000} ms  {paged.Bytes / 1024.0,10:N1} KB allocated per page");
Console.WriteLine($"  ratio now/before: time {paged.Ms / baseline.Ms:0.00}, bytes {(double)paged.Bytes / baseline.Bytes:0.000}");

static (double Ms, long Bytes) Measure(Func<List<int>> page)
{
    for (var i = 0; i < 5; i++) page(); // warm up (tiered JIT)
    var rounds = 30;
    var bytes = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < rounds; i++) page();
    return (clock.Elapsed.TotalMilliseconds / rounds, (GC.GetAllocatedBytesForCurrentThread() - bytes) / rounds);
}
