using System.Numerics;

namespace MetadataDelivery.Domain.Collections;

/// <summary>The paged arrays of a node partition (node table, its text, the schedules) start their first page small
/// and grow it, copied, up to a whole page, so that a small partition holds about what it needs; later pages are
/// whole. One rule for all of them: double, or more if one entry needs more, never past a page.</summary>
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

    /// <summary>Entries held by all pages.</summary>
    public static long TotalLength<T>(List<T[]> pages)
    {
        long total = 0;
        foreach (var page in pages) total += page.Length;
        return total;
    }
}
