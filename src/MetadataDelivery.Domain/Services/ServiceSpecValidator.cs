using System.Text.RegularExpressions;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Domain.Services;

public sealed record ServiceValidationOptions(bool AllowFileNodeMaps, bool AllowS3NodeMaps, bool AllowS3MetadataSources);

/// <summary>Turns an untrusted <see cref="ServiceRequest"/> into a <see cref="ServiceSpec"/> or field errors.
/// Nothing that fails here ever reaches an actor.</summary>
public static partial class ServiceSpecValidator
{
    public static readonly TimeSpan MinTtl = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(366);
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);
    public const double DefaultRenewAt = 0.66;
    public const double MinRenewAt = 0.1;
    public const double MaxRenewAt = 0.95;
    public const string RenewAtRange = "between 0.1 and 0.95";
    public const int DefaultPort = 7070;
    public const string DefaultPath = "/v1/metadata";
    public const int DefaultMaxConcurrency = 256;
    public const int MaxMaxConcurrency = 10_000;
    public const string BuiltinCa = "builtin:ca";

    public static bool IsValidRenewAt(double renewAt) => renewAt is >= MinRenewAt and <= MaxRenewAt; // NaN compares false

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketRegex();

    private static readonly HashSet<string> Placeholders = ["service", "node", "tenant"];

    public static (ServiceSpec? Spec, ValidationErrors Errors) Validate(ServiceRequest? request, ServiceValidationOptions options)
    {
        var errors = new ValidationErrors();
        if (request is null)
        {
            errors.Add("body", "a JSON object is required");
            return (null, errors);
        }

        if (!Names.IsValidResourceName(request.Name))
            errors.Add("name", $"must be {Names.ResourceNameRule}");

        ValidateNodeMap(request.NodeMap, options, errors);
        var metadata = ValidateMetadata(request.Metadata, options, errors);
        var delivery = ValidateDelivery(request.Delivery, errors);

        if (!errors.IsEmpty || metadata is null || delivery is null) return (null, errors);
        return (new ServiceSpec(request.Name!, request.NodeMap!, metadata, delivery), errors);
    }

    private static void ValidateNodeMap(string? nodeMap, ServiceValidationOptions options, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(nodeMap)) { errors.Add("nodeMap", "is required"); return; }
        if (nodeMap.Length > 2048) { errors.Add("nodeMap", "must be at most 2048 characters"); return; }
        if (!Uri.TryCreate(nodeMap, UriKind.Absolute, out var uri)) { errors.Add("nodeMap", "must be an absolute URI"); return; }
        switch (uri.Scheme)
        {
            case "s3":
                if (!options.AllowS3NodeMaps) errors.Add("nodeMap", "s3:// node maps are not available in this build yet");
                else ValidateS3Location(nodeMap, uri, "nodeMap", errors);
                break;
            case "file":
                if (!options.AllowFileNodeMaps)
                    errors.Add("nodeMap", "file:// node maps are disabled on this deployment (Mds:NodeMaps:AllowFileUris)");
                else if (!nodeMap.StartsWith("file:///", StringComparison.Ordinal) || nodeMap.Contains("..", StringComparison.Ordinal))
                    errors.Add("nodeMap", "must be file:///absolute/path without '..'");
                break;
            default:
                errors.Add("nodeMap", "scheme must be s3:// or file://");
                break;
        }
    }

    private static void ValidateS3Location(string raw, Uri uri, string field, ValidationErrors errors)
    {
        if (!BucketRegex().IsMatch(uri.Host)) errors.Add(field, "bucket name is not a valid S3 bucket name");
        if (uri.AbsolutePath.Length <= 1) errors.Add(field, "must name an object key: s3://bucket/key");
        if (raw.Contains("..", StringComparison.Ordinal)) errors.Add(field, "must not contain '..'");
    }

    private static MetadataSpec? ValidateMetadata(MetadataRequest? metadata, ServiceValidationOptions options, ValidationErrors errors)
    {
        if (metadata is null) { errors.Add("metadata", "is required"); return null; }
        var ok = ValidateSource(metadata.Source, options, errors);

        TimeSpan ttl = default;
        if (string.IsNullOrWhiteSpace(metadata.Ttl)) { errors.Add("metadata.ttl", "is required: an ISO 8601 duration (PT1H) or hh:mm:ss"); ok = false; }
        else if (!Durations.TryParse(metadata.Ttl, out ttl)) { errors.Add("metadata.ttl", $"'{Truncate(metadata.Ttl)}' is not a duration: use ISO 8601 (PT1H) or hh:mm:ss"); ok = false; }
        else if (ttl < MinTtl || ttl > MaxTtl) { errors.Add("metadata.ttl", $"must be between {Durations.ToIso(MinTtl)} and {Durations.ToIso(MaxTtl)}"); ok = false; }

        var renewAt = metadata.RenewAt ?? DefaultRenewAt;
        if (!IsValidRenewAt(renewAt)) { errors.Add("metadata.renewAt", "must be " + RenewAtRange); ok = false; }

        TimeSpan? refresh = null;
        if (metadata.RefreshInterval is not null)
        {
            if (!Durations.TryParse(metadata.RefreshInterval, out var r)) { errors.Add("metadata.refreshInterval", "must be an ISO 8601 duration or hh:mm:ss, or null"); ok = false; }
            else if (r < MinRefreshInterval || r > MaxTtl) { errors.Add("metadata.refreshInterval", $"must be between {Durations.ToIso(MinRefreshInterval)} and {Durations.ToIso(MaxTtl)}"); ok = false; }
            else refresh = r;
        }
        return ok ? new MetadataSpec(metadata.Source!, ttl, renewAt, refresh) : null;
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "…";

    private static bool ValidateSource(string? source, ServiceValidationOptions options, ValidationErrors errors)
    {
        const string field = "metadata.source";
        if (string.IsNullOrWhiteSpace(source)) { errors.Add(field, "is required"); return false; }
        if (source.Length > 2048) { errors.Add(field, "must be at most 2048 characters"); return false; }
        if (source == BuiltinCa) return true;

        var unknown = PlaceholderRegex().Matches(source).Select(m => m.Groups[1].Value).Where(p => !Placeholders.Contains(p)).ToList();
        if (unknown.Count > 0) { errors.Add(field, $"unknown placeholder(s): {string.Join(", ", unknown.Select(u => "{" + u + "}"))}; allowed: {{service}}, {{node}}, {{tenant}}"); return false; }

        var probe = PlaceholderRegex().Replace(source, "x");
        if (probe.Contains('{') || probe.Contains('}')) { errors.Add(field, "has an unbalanced '{' or '}'; placeholders are {service}, {node} and {tenant}"); return false; }
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri)) { errors.Add(field, "must be an absolute URI template, or builtin:ca"); return false; }
        switch (uri.Scheme)
        {
            case "http" or "https":
                if (string.IsNullOrEmpty(uri.Host)) { errors.Add(field, "must name a host"); return false; }
                if (!string.IsNullOrEmpty(uri.UserInfo)) { errors.Add(field, "must not carry credentials in the URI"); return false; }
                return true;
            case "s3":
                if (!options.AllowS3MetadataSources) { errors.Add(field, "s3:// metadata sources are not available in this build yet"); return false; }
                var before = errors.IsEmpty;
                ValidateS3Location(probe, uri, field, errors);
                return errors.IsEmpty || !before;
            default:
                errors.Add(field, "scheme must be http, https, s3, or the literal builtin:ca");
                return false;
        }
    }

    private static DeliverySpec? ValidateDelivery(DeliveryRequest? delivery, ValidationErrors errors)
    {
        delivery ??= new DeliveryRequest(null, null, null, null);
        var ok = true;
        var scheme = delivery.Scheme ?? "http";
        if (scheme is not ("http" or "https")) { errors.Add("delivery.scheme", "must be http or https"); ok = false; }
        var port = delivery.Port ?? DefaultPort;
        if (port is < 1 or > 65535) { errors.Add("delivery.port", "must be between 1 and 65535"); ok = false; }
        var path = delivery.Path ?? DefaultPath;
        if (!path.StartsWith('/') || path.Length > 1024 || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || path.Contains("..", StringComparison.Ordinal)
            || !Uri.TryCreate("http://x" + path, UriKind.Absolute, out _))
        { errors.Add("delivery.path", "must be an absolute URL path starting with '/', at most 1024 characters"); ok = false; }
        var max = delivery.MaxConcurrency ?? DefaultMaxConcurrency;
        if (max < 1 || max > MaxMaxConcurrency) { errors.Add("delivery.maxConcurrency", $"must be between 1 and {MaxMaxConcurrency}"); ok = false; }
        return ok ? new DeliverySpec(scheme, port, path, max) : null;
    }
}
