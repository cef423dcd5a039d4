using MetadataDelivery.IntegrationTests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MetadataDelivery.IntegrationTests;

/// <summary>Neither docker-compose nor Kubernetes runs here, so their files are checked as far as this machine
/// allows: they parse, have the parts a cluster needs, and carry exactly the cluster settings the
/// multi-process test (<see cref="ClusterFailoverTests"/>) runs with.</summary>
public sealed class DeploymentTests
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private static List<Dictionary<object, object>> LoadAll(string relativePath)
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, relativePath)));
        var parser = new MergingParser(new Parser(reader));
        var docs = new List<Dictionary<object, object>>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
            docs.Add(Yaml.Deserialize<Dictionary<object, object>>(parser));
        return docs;
    }

    private static Dictionary<object, object> Map(object? o) => Assert.IsType<Dictionary<object, object>>(o);
    private static List<object> List(object? o) => Assert.IsType<List<object>>(o);

    [Fact]
    public void Compose_runs_three_members_on_postgres_with_minio_and_prometheus_configured_like_the_cluster_test()
    {
        var compose = LoadAll("docker-compose.yml").Single();
        var services = Map(compose["services"]);
        foreach (var required in new[] { "postgres", "minio", "minio-init", "prometheus", "mds-1", "mds-2", "mds-3" })
            Assert.True(services.ContainsKey(required), $"compose has no service {required}");
        Assert.Contains("mc mb --ignore-existing local/fleet", string.Join(" ", List(Map(services["minio-init"])["entrypoint"])));

        foreach (var member in new[] { "mds-1", "mds-2", "mds-3" })
        {
            var env = Map(Map(services[member])["environment"]).ToDictionary(kv => (string)kv.Key, kv => kv.Value?.ToString());
            Assert.Equal(member, env["Mds__Cluster__Hostname"]);
            Assert.Equal("postgres", env["Mds__Persistence__Provider"]);
            Assert.Equal(ClusterFailoverTests.StableAfter, env["Mds__Cluster__StableAfter"]);
            Assert.Equal(ClusterFailoverTests.Roles, env["Mds__Cluster__Roles"]);
            var seeds = env["Mds__Cluster__Seeds"]!.Split(',');
            Assert.Equal(ClusterFailoverTests.SeedCount, seeds.Length);
            Assert.Equal(["akka.tcp://mds@mds-1:4053", "akka.tcp://mds@mds-2:4053"], seeds);
            Assert.Equal("http://minio:9000", env["Mds__S3__ServiceUrl"]);
            Assert.Equal("true", env["Mds__S3__ForcePathStyle"]);
            Assert.Contains("/healthz/ready", string.Join(" ", List(Map(Map(services[member])["healthcheck"])["test"])));
        }

        var prometheus = LoadAll("deployments/prometheus/prometheus.yml").Single();
        var targets = List(Map(List(Map(List(prometheus["scrape_configs"])[0])["static_configs"])[0])["targets"]);
        Assert.Equal(["mds-1:8080", "mds-2:8080", "mds-3:8080"], targets.Cast<string>());
    }

    /// <summary>The aspnet image's /bin/sh is dash: bash's /dev/tcp made the old healthcheck fail there, so no member ever
    /// turned healthy. The compose command itself runs under dash here, against a ready member and against nothing.</summary>
    [Fact]
    public async Task The_compose_healthcheck_passes_under_dash_against_a_ready_member_and_fails_without_one()
    {
        Assert.True(File.Exists("/bin/dash") || File.Exists("/usr/bin/dash"), "dash is needed to run the healthcheck as the image does");
        var compose = LoadAll("docker-compose.yml").Single();
        var test = List(Map(Map(Map(compose["services"])["mds-1"])["healthcheck"])["test"]).Cast<string>().ToList();
        Assert.Equal("CMD-SHELL", test[0]);
        Assert.Contains("WORKDIR /app", File.ReadAllText(Path.Combine(RepoPaths.Root, "deployments", "docker", "Dockerfile")));
        var hostDir = Path.GetDirectoryName(HostProcess.HostDll())! + "/";

        using var dir = new TestDirectory();
        await using var host = await InProcessHost.StartAsync(dir.Sub("host"));
        var ready = await DashAsync(test[1].Replace("/app/", hostDir).Replace("127.0.0.1:8080", host.Args.BaseAddress.Authority));
        Assert.True(ready.ExitCode == 0, ready.Output);
        var nothing = await DashAsync(test[1].Replace("/app/", hostDir).Replace("127.0.0.1:8080", $"127.0.0.1:{Ports.Free()}"));
        Assert.True(nothing.ExitCode != 0, nothing.Output);
    }

    private static async Task<(int ExitCode, string Output)> DashAsync(string command)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within 30 s");
        }
        return (process.ExitCode, $"{command}\nexit {process.ExitCode}\n{await stdout}{await stderr}");
    }

    [Fact]
    public void Kubernetes_has_a_statefulset_headless_service_pdb_and_probes_configured_like_the_cluster_test()
    {
        var docs = LoadAll("deployments/k8s/mds.yaml");
        var byKind = docs.GroupBy(d => (string)d["kind"]).ToDictionary(g => g.Key, g => g.ToList());
        var headless = byKind["Service"].Single(s => Map(s["spec"]).TryGetValue("clusterIP", out var ip) && (string)ip == "None");
        Assert.Equal("mds-cluster", Map(headless["metadata"])["name"]);
        Assert.Equal("2", Map(byKind["PodDisruptionBudget"].Single()["spec"])["minAvailable"].ToString());

        var set = Map(byKind["StatefulSet"].Single()["spec"]);
        Assert.Equal("3", set["replicas"].ToString());
        Assert.Equal("mds-cluster", set["serviceName"]);
        var container = Map(List(Map(Map(set["template"])["spec"])["containers"]).Single());
        var env = List(container["env"]).Select(Map).Where(e => e.ContainsKey("value")).ToDictionary(e => (string)e["name"], e => e["value"].ToString());
        Assert.Equal("postgres", env["Mds__Persistence__Provider"]);
        Assert.Equal(ClusterFailoverTests.StableAfter, env["Mds__Cluster__StableAfter"]);
        Assert.Equal(ClusterFailoverTests.Roles, env["Mds__Cluster__Roles"]);
        Assert.Equal(ClusterFailoverTests.SeedCount, env["Mds__Cluster__Seeds"]!.Split(',').Length);
        Assert.Equal("/healthz/ready", Map(Map(container["readinessProbe"])["httpGet"])["path"]);
        Assert.Equal("/healthz/live", Map(Map(container["livenessProbe"])["httpGet"])["path"]);
    }
}
