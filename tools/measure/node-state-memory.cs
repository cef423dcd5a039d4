#:project ../../src/MetadataDelivery.Domain/MetadataDelivery.Domain.csproj
#:property PublishAot=false
// Measures the managed memory a node partition keeps per node in steady state: the node table (ids,
// addresses, versions, times, the id index) and the two schedules (next attempt, expiry check) — the
// engine's per-node state without the actor system, the simulators or transient delivery garbage.
// Usage (see docs/benchmarks.md): dotnet run tools/measure/node-state-memory.cs -- [nodes]
using System.Security.Cryptography;
using MetadataDelivery.Domain.Delivery;
using MetadataDelivery.Domain.Events;
using MetadataDelivery.Domain.Ids;
using MetadataDelivery.Domain.NodeMaps;
using MetadataDelivery.Domain.Partitions;
using MetadataDelivery.Domain.Scheduling;
using MetadataDelivery.Domain.Services;

var count = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var now = DateTimeOffset.UtcNow;
var spec = new ServiceSpec("svc", "file:///n.json", new MetadataSpec("builtin:ca", TimeSpan.FromHours(1), 0.66, null), new DeliverySpec("http", 7070, "/v1/metadata", 256));
var before = GC.GetTotalMemory(forceFullCollection: true);
// Ids, addresses and versions are fresh strings per node, as when parsed from a map and computed from fetched items.
var entries = Enumerable.Range(0, count).Select(i => new NodeEntry($"node-{i:D7}", $"127.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:7070")).ToList();
var state = new PartitionState(new PartitionKey(new ServiceKey("acme", "svc"), 0));
state.Apply(new PartitionConfigured(1, spec, "secret", [], now));
state.Apply(new NodeSliceApplied(1, 1, entries, [], [], now));
var schedule = new DeliverySchedule(now);
var expiries = new DeliverySchedule(now);
schedule.Reserve(state.Nodes.SlotCount); // as the partition does after a slice
expiries.Reserve(state.Nodes.SlotCount);
for (var i = 0; i < count; i++)
{
    var id = entries[i].Id;
    var outcome = new DeliveryOutcome(id, NodeState.Delivered, MetadataItem.VersionOf(RandomNumberGenerator.GetBytes(64)), now, now, now.AddHours(1), now.AddMinutes(40), 0, null);
    state.Apply(new DeliveryOutcomesRecorded([outcome]));
    state.Nodes.TryGetSlot(id, out var slot);
    schedule.Set(slot, outcome.NextAttemptAt!.Value);
    expiries.Set(slot, outcome.ExpiresAt!.Value);
}
entries = null; // the records now hold the only references to ids and addresses
var after = GC.GetTotalMemory(forceFullCollection: true);
GC.KeepAlive(state); GC.KeepAlive(schedule); GC.KeepAlive(expiries);
Console.WriteLine($"{count:N0} delivered nodes: {(after - before) / (double)count:0} bytes of managed heap per node (table + schedules)");
Console.WriteLine($"  of which node table {state.Nodes.AllocatedBytes / (double)count:0}, schedules {(schedule.AllocatedBytes + expiries.AllocatedBytes) / (double)count:0}");
