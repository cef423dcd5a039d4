using System.Diagnostics;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A real S3-protocol server (the pinned npm package s3rver) on a loopback port, with one bucket.
/// A missing s3rver fails the test (never skips it): build.ps1 test installs it.</summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private Process? _process;
    private readonly string _dataDir;
    public int Port { get; }
    public string Bucket { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public AmazonS3Client Client { get; }

    private S3Server(string dataDir, int port, string bucket)
    {
        _dataDir = dataDir;
        Port = port;
        Bucket = bucket;
        Client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey),
            new AmazonS3Config { ServiceURL = Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    /// <summary>The host arguments that point a member at this server.</summary>
    public string[] HostArgs =>
    [
        $"--Mds:S3:ServiceUrl={Url}", "--Mds:S3:ForcePathStyle=true",
        $"--Mds:S3:AccessKeyId={AccessKey}", $"--Mds:S3:SecretAccessKey={SecretKey}",
        "--Mds:S3:Timeout=00:00:05",
    ];

    public static async Task<S3Server> StartAsync(string dataDir, string bucket = "fleet", int? port = null)
    {
        var server = new S3Server(dataDir, port ?? Ports.Free(), bucket);
        await server.StartProcessAsync();
        return server;
    }

    public async Task StartProcessAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script)) throw new InvalidOperationException($"s3rver is not installed: run 'npm ci --prefix {Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(script))))}' (build.ps1 test does)");
        Directory.CreateDirectory(_dataDir);
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "-d", _dataDir, "-a", "127.0.0.1", "-p", Port.ToString(), "--silent", "--configure-bucket", Bucket })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"s3rver exited with {_process.ExitCode}");
            try { using var tcp = new TcpClient(); await tcp.ConnectAsync("127.0.0.1", Port); return true; }
            catch (SocketException) { return false; }
        }, TimeSpan.FromSeconds(20), "s3rver listening");
    }

    /// <summary>Stops the server process (data stays on disk), to simulate S3 being down.</summary>
    public void Stop()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process = null;
    }

    /// <summary>Uploads as a customer would with the SDK (no chunk encoding: s3rver would store the framing).</summary>
    public Task PutAsync(string key, string content, string contentType = "application/json", DateTimeOffset? expires = null)
    {
        var request = new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = content, ContentType = contentType, UseChunkEncoding = false };
        if (expires is { } e) request.Headers.Expires = e.UtcDateTime;
        return Client.PutObjectAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        Client.Dispose();
        await Task.CompletedTask;
    }
}
