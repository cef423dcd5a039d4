#:package AWSSDK.S3
#:property PublishAot=false
// Measures how long a running member takes to read, parse and apply a 1,000,000-node S3 node map.
// Usage (see docs/measurements.md): dotnet run tools/measure/nodemap-1m.cs -- <api-url> <admin-key> <s3-url> <bucket> [nodes]
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

var (api, adminKey, s3Url, bucket) = (args[0], args[1], args[2], args[3]);
var count = args.Length > 4 ? int.Parse(args[4]) : 1_000_000;

var map = new StringBuilder(count * 48).Append("{\"nodes\":[");
// Loopback addresses only (127.0.0.0/8) on a closed port: the few attempts the service starts go nowhere else.
for (var i = 0; i < count; i++) map.Append(i == 0 ? "" : ",").Append($"{{\"id\":\"node-{i:D7}\",\"address\":\"127.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:9\"}}");
map.Append("]}");
var bytes = Encoding.UTF8.GetBytes(map.ToString());
Console.WriteLine($"map: {count} nodes, {bytes.Length / 1024.0 / 1024.0:0.0} MiB");

using var s3 = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config { ServiceURL = s3Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "big/nodes.json", InputStream = new MemoryStream(bytes), ContentType = "application/json", UseChunkEncoding = false });

using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
var tenant = await (await http.PostAsJsonAsync("/v1/tenants", new { name = "big" + DateTime.UtcNow.Ticks % 100000 })).Content.ReadFromJsonAsync<JsonObject>();
http.DefaultRequestHeaders.Authorization = new("Bearer", tenant!["apiKey"]!.GetValue<string>());
var clock = Stopwatch.StartNew();
var created = await http.PostAsJsonAsync("/v1/services", new
{
    name = "million", nodeMap = $"s3://{bucket}/big/nodes.json",
    metadata = new { source = "builtin:ca", ttl = "PT1H" },
    delivery = new { maxConcurrency = 1 }, // measure reading and applying the map, not delivering
});
Console.WriteLine($"register: {(int)created.StatusCode}");
while (clock.Elapsed < TimeSpan.FromMinutes(10))
{
    var svc = await http.GetFromJsonAsync<JsonObject>("/v1/services/million");
    var n = svc!["nodeMap"]!["nodeCount"]!.GetValue<int>();
    var error = svc["nodeMap"]!["lastError"]?.GetValue<string>();
    if (n == count) { Console.WriteLine($"applied: {n} nodes {clock.Elapsed.TotalSeconds:0.0} s after registration"); break; }
    if (error is not null) { Console.WriteLine("error: " + error); break; }
    await Task.Delay(200);
}
