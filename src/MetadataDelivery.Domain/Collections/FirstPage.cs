using System.Numerics;

namespace MetadataDelivery.Domain.Collections;

/// <summary>The paged arrays of a node partition (node table, its text, the schedules) start their first page small
/// and grow it, copied, up to a whole page, so that a small partition holds about what it needs; later pages are
/// whole. One rule for all of them: double, or more if one entry needs more, never past a page. When the owner knows
/// how much is coming (a node-map slice), it reserves that instead (<see cref="Reserve"/>), so a partition that stops
/// growing holds little slack.</summary>
internal static class FirstPage
{
    /// <summary>The new length of a first page of <paramref name="length"/> that must hold <paramref name="needed"/>.</summary>
    public static int GrownLength(int length, int needed, int pageSize) =>
        Math.Min(pageSize, Math.Max(2 * length, (int)BitOperations.RoundUpToPowerOf2((uint)needed)));

    /// <summary>Grows <paramref name="page"/> (the list's first page) to hold <paramref name="needed"/> entries.</summary>
    public static T[] Grow<T>(List<T[]> pages, int needed, int pageSize)
    {
        var page = pages[0];
        Array.Resize(ref page, GrownLength(page.Length, needed, pageSize));
        pages[0] = page;
        return page;
    }

    /// <summary>Makes the first page (added when there is none) hold at least <paramref name="needed"/> entries, never
    /// past a page; later pages are whole and left alone. It grows to exactly <paramref name="needed"/> (a slice of a
    /// new service), but by at least half its length, so that a map growing by a few nodes per sync copies the page
    /// a logarithmic number of times, not once per sync, and holds at most a third unused. Returns the first page.</summary>
    public static T[] Reserve<T>(List<T[]> pages, int needed, int pageSize, int minimumLength)
    {
        if (pages.Count == 0) pages.Add(new T[Math.Min(pageSize, Math.Max(needed, minimumLength))]);
        else if (pages.Count == 1 && pages[0].Length < Math.Min(needed, pageSize))
        {
            var page = pages[0];
            Array.Resize(ref page, Math.Min(pageSize, Math.Max(needed, page.Length + page.Length / 2)));
            pages[0] = page;
        }
        return pages[0];
    }

    /// <summary>Entries held by all pages.</summary>
    public static long TotalLength<T>(List<T[]> pages)
    {
        long total = 0;
        foreach (var page in pages) total += page.Length;
        return total;
    }
}
