using System.Net;
using System.Net.Sockets;

namespace MetadataDelivery.IntegrationTests.Infrastructure;

public static class Ports
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A loopback port that is free now and not handed out before in this run.</summary>
    public static int Free()
    {
        lock (Handed)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port)) return port;
            }
        }
    }
}
