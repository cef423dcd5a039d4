namespace MetadataDelivery.Cli;

/// <summary>What scripts can rely on. Documented in README and in <c>mds --help</c>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;        // any other API error (4xx not listed below), or an unexpected answer
    public const int Usage = 2;         // bad command line, or input the API rejected as invalid (400/413/415)
    public const int NotFound = 3;      // 404
    public const int Unauthorized = 4;  // 401/403: missing, wrong or insufficient key
    public const int Unavailable = 5;   // cannot connect, 5xx, 429, or a wait that timed out (504)
    public const int Conflict = 6;      // 409: already exists

    public static int ForStatus(int status) => status switch
    {
        >= 200 and < 300 => Ok,
        400 or 413 or 415 => Usage,
        401 or 403 => Unauthorized,
        404 => NotFound,
        409 => Conflict,
        429 or >= 500 => Unavailable,
        _ => Failed,
    };
}
