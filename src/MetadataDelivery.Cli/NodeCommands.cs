using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MetadataDelivery.Cli;

public static class NodeCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var node = new Command("node", "Per-node status and forced delivery (tenant key)");
        var service = new Argument<string>("service") { Description = "Service name" };
        var id = new Argument<string>("node") { Description = "Node id" };

        var state = new Option<string?>("--state") { Description = "Only nodes in this state: pending, delivered, retrying, expired" };
        var list = new Command("list", "List a service's nodes (follows every page)") { service, state };
        list.Runs(async (p, c, ct) =>
        {
            var path = ServiceCommands.Path(p.GetValue(service)!) + "/nodes" + (p.GetValue(state) is { } s ? "?state=" + Uri.EscapeDataString(s) : "");
            return c.Render(await c.Api.GetAllPagesAsync(path, ct), a => c.Out.Table(
                ["node", "address", "state", "expires", "next", "attempts", "last error"],
                a.Body!["items"]!.AsArray().Select(n => new[]
                {
                    Output.Scalar(n!["node"]), Output.Scalar(n["address"]), Output.Scalar(n["state"]), Output.Scalar(n["expiresAt"]),
                    Output.Scalar(n["nextAttemptAt"]), Output.Scalar(n["attempts"]), Output.Scalar(n["lastError"]),
                })));
        }, stdout, stderr);

        var show = new Command("show", "Show one node's delivery status") { service, id };
        show.Runs(async (p, c, ct) => c.Render(await c.Api.SendAsync(HttpMethod.Get, NodePath(p.GetValue(service)!, p.GetValue(id)!), ct: ct),
            a => c.Out.Properties((JsonObject)a.Body!)), stdout, stderr);

        var wait = new Option<string?>("--wait") { Description = "Wait this long for the node's ack, e.g. PT10S (exit 5 if it does not come)" };
        var deliver = new Command("deliver", "Fetch and push a fresh item to one node now (resets its backoff)") { service, id, wait };
        deliver.Runs(async (p, c, ct) =>
        {
            var path = NodePath(p.GetValue(service)!, p.GetValue(id)!) + "/deliveries";
            if (p.GetValue(wait) is not { } w)
                return c.Render(await c.Api.SendAsync(HttpMethod.Post, path, ct: ct), a => c.Out.Line($"delivery {Output.Scalar(a.Body!["deliveryId"])} started"));
            using var progress = Progress.Start(c.Out.Err, $"waiting for {p.GetValue(id)} to acknowledge");
            var answer = await c.Api.SendAsync(HttpMethod.Post, path + "?wait=" + Uri.EscapeDataString(w), ct: ct);
            progress.Dispose();
            return c.Render(answer, a => c.Out.Properties((JsonObject)a.Body!));
        }, stdout, stderr);

        node.Subcommands.Add(list);
        node.Subcommands.Add(show);
        node.Subcommands.Add(deliver);
        return node;
    }

    private static string NodePath(string service, string node) => ServiceCommands.Path(service) + "/nodes/" + Uri.EscapeDataString(node);
}

/// <summary>An elapsed-time spinner on stderr while a long call runs; silent when stderr is not a terminal.</summary>
public sealed class Progress : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private Progress(TextWriter err, string what)
    {
        var interactive = ReferenceEquals(err, Console.Error) && !Console.IsErrorRedirected;
        _loop = interactive ? Task.Run(() => SpinAsync(err, what, _stop.Token)) : Task.CompletedTask;
    }

    public static Progress Start(TextWriter err, string what) => new(err, what);

    private static async Task SpinAsync(TextWriter err, string what, CancellationToken ct)
    {
        var frames = "|/-\\";
        var watch = Stopwatch.StartNew();
        try
        {
            for (var i = 0; !ct.IsCancellationRequested; i++)
            {
                err.Write($"\r{frames[i % frames.Length]} {what} ({watch.Elapsed.TotalSeconds:0} s)");
                await Task.Delay(200, ct);
            }
        }
        catch (OperationCanceledException) { }
        err.Write("\r" + new string(' ', what.Length + 16) + "\r");
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(1));
    }
}
