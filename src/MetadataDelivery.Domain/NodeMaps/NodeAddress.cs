using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MetadataDelivery.Domain.NodeMaps;

/// <summary>Node addresses: <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>.</summary>
public static partial class NodeAddress
{
    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostnameRegex();

    public static bool TryParse(string? address, out string host, out int? port)
    {
        host = ""; port = null;
        if (string.IsNullOrEmpty(address) || address.Length > 300) return false;
        string hostPart = address;
        string? portPart = null;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']');
            if (close < 0) return false;
            hostPart = address[1..close];
            var rest = address[(close + 1)..];
            if (rest.Length > 0) { if (!rest.StartsWith(':')) return false; portPart = rest[1..]; }
            if (!IPAddress.TryParse(hostPart, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            host = "[" + hostPart + "]";
        }
        else
        {
            var colon = address.IndexOf(':');
            if (colon >= 0) { hostPart = address[..colon]; portPart = address[(colon + 1)..]; }
            if (!HostnameRegex().IsMatch(hostPart)) return false;
            host = hostPart;
        }
        if (portPart is not null)
        {
            if (!int.TryParse(portPart, System.Globalization.NumberStyles.None, null, out var p) || p is < 1 or > 65535) return false;
            port = p;
        }
        return true;
    }

    public static bool IsValid(string? address) => TryParse(address, out _, out _);
}
