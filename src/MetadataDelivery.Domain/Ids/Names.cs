using System.Text.RegularExpressions;

namespace MetadataDelivery.Domain.Ids;

/// <summary>The naming rules of CONTRACT §2 and §4, in one place.</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex ResourceNameRegex();

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex NodeIdRegex();

    /// <summary>Tenant and service names: DNS-label style, 1–63 chars.</summary>
    public static bool IsValidResourceName(string? name) => name is not null && ResourceNameRegex().IsMatch(name);

    public static bool IsValidNodeId(string? id) => id is not null && NodeIdRegex().IsMatch(id);

    public const string ResourceNameRule = "1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
    public const string NodeIdRule = "1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'";
}
