using System.Globalization;
using System.Xml;

namespace MetadataDelivery.Domain.Services;

/// <summary>Durations as the API accepts them: ISO 8601 (<c>PT1H</c>) or .NET <c>hh:mm:ss</c>.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal))
        {
            try { value = XmlConvert.ToTimeSpan(text); return true; }
            catch (FormatException) { return false; }
            catch (OverflowException) { return false; }
        }
        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value);
    }

    public static string ToIso(TimeSpan value) => XmlConvert.ToString(value);
}
