namespace MetadataDelivery.Engine.S3;

/// <summary><c>s3://bucket/key</c>, split.</summary>
public readonly record struct S3Location(string Bucket, string Key)
{
    public static bool TryParse(string? uri, out S3Location location)
    {
        location = default;
        if (uri is null || !uri.StartsWith("s3://", StringComparison.Ordinal)) return false;
        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1) return false;
        location = new S3Location(rest[..slash], Uri.UnescapeDataString(rest[(slash + 1)..]));
        return true;
    }

    public override string ToString() => $"s3://{Bucket}/{Key}";
}
