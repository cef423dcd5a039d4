using System.Net;
using System.Net.Sockets;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

/// <summary>A loopback port that accepts connections and never answers: a metadata source whose fetches hang
/// until their timeout. Tests about placement use it to keep a big fleet from doing work.</summary>
public sealed class SilentHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public int Port { get; }

    public SilentHttpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_held) _held.Add(socket);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        lock (_held) foreach (var s in _held) s.Dispose();
        _stop.Dispose();
    }
}
