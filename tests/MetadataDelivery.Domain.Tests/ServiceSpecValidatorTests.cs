using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Domain.Tests;

public class ServiceSpecValidatorTests
{
    private static readonly ServiceValidationOptions Embedded = new(AllowFileNodeMaps: true, AllowS3NodeMaps: true, AllowS3MetadataSources: true);

    private static ServiceRequest Valid() => new("payments", "s3://bucket/path/nodes.json",
        new MetadataRequest("http://issuer.internal/certs/{service}/{node}", "PT1H", 0.66, null),
        new DeliveryRequest("http", 7070, "/v1/metadata", 256));

    [Fact]
    public void Accepts_the_contract_example()
    {
        var (spec, errors) = ServiceSpecValidator.Validate(Valid(), Embedded);
        Assert.True(errors.IsEmpty, errors.ToString());
        Assert.Equal(TimeSpan.FromHours(1), spec!.Metadata.Ttl);
        Assert.Equal(0.66, spec.Metadata.RenewAt);
        Assert.Equal(new DeliverySpec("http", 7070, "/v1/metadata", 256), spec.Delivery);
    }

    [Fact]
    public void Fills_defaults()
    {
        var (spec, errors) = ServiceSpecValidator.Validate(
            new ServiceRequest("a", "file:///tmp/nodes.json", new MetadataRequest("builtin:ca", "01:00:00", null, "PT5M"), null), Embedded);
        Assert.True(errors.IsEmpty, errors.ToString());
        Assert.Equal(0.66, spec!.Metadata.RenewAt);
        Assert.Equal(TimeSpan.FromMinutes(5), spec.Metadata.RefreshInterval);
        Assert.Equal(new DeliverySpec("http", 7070, "/v1/metadata", 256), spec.Delivery);
    }

    public static TheoryData<ServiceRequest, string> Invalid()
    {
        var v = Valid();
        return new TheoryData<ServiceRequest, string>
        {
            { v with { Name = null }, "name" },
            { v with { Name = "Payments" }, "name" },
            { v with { Name = "-a" }, "name" },
            { v with { Name = new string('a', 64) }, "name" },
            { v with { Name = "a_b" }, "name" },
            { v with { NodeMap = null }, "nodeMap" },
            { v with { NodeMap = "http://x/y" }, "nodeMap" },
            { v with { NodeMap = "s3://bucket" }, "nodeMap" },
            { v with { NodeMap = "s3://B!/x" }, "nodeMap" },
            { v with { NodeMap = "s3://bucket/../x" }, "nodeMap" },
            { v with { NodeMap = "relative/path" }, "nodeMap" },
            { v with { NodeMap = "file:///etc/../x" }, "nodeMap" },
            { v with { Metadata = null }, "metadata" },
            { v with { Metadata = v.Metadata! with { Source = null } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "ftp://x/{node}" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "http://x/{nodes}" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "http://x/{node" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "http://x/node}/{service}" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "http://user:pw@x/{node}" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Source = "builtin:other" } }, "metadata.source" },
            { v with { Metadata = v.Metadata! with { Ttl = null } }, "metadata.ttl" },
            { v with { Metadata = v.Metadata! with { Ttl = "1 hour" } }, "metadata.ttl" },
            { v with { Metadata = v.Metadata! with { Ttl = "PT1S" } }, "metadata.ttl" },
            { v with { Metadata = v.Metadata! with { Ttl = "P400D" } }, "metadata.ttl" },
            { v with { Metadata = v.Metadata! with { Ttl = "-PT1H" } }, "metadata.ttl" },
            { v with { Metadata = v.Metadata! with { RenewAt = 0.05 } }, "metadata.renewAt" },
            { v with { Metadata = v.Metadata! with { RenewAt = 0.99 } }, "metadata.renewAt" },
            { v with { Metadata = v.Metadata! with { RenewAt = double.NaN } }, "metadata.renewAt" },
            { v with { Metadata = v.Metadata! with { RefreshInterval = "PT0S" } }, "metadata.refreshInterval" },
            { v with { Metadata = v.Metadata! with { RefreshInterval = "soon" } }, "metadata.refreshInterval" },
            { v with { Delivery = v.Delivery! with { Scheme = "ftp" } }, "delivery.scheme" },
            { v with { Delivery = v.Delivery! with { Port = 0 } }, "delivery.port" },
            { v with { Delivery = v.Delivery! with { Port = 70000 } }, "delivery.port" },
            { v with { Delivery = v.Delivery! with { Path = "v1/metadata" } }, "delivery.path" },
            { v with { Delivery = v.Delivery! with { Path = "/a b" } }, "delivery.path" },
            { v with { Delivery = v.Delivery! with { Path = "/../admin" } }, "delivery.path" },
            { v with { Delivery = v.Delivery! with { MaxConcurrency = 0 } }, "delivery.maxConcurrency" },
            { v with { Delivery = v.Delivery! with { MaxConcurrency = 100_000 } }, "delivery.maxConcurrency" },
        };
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_each_bad_field_by_name(ServiceRequest request, string field)
    {
        var (spec, errors) = ServiceSpecValidator.Validate(request, Embedded);
        Assert.Null(spec);
        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    [Fact]
    public void Deployment_switches_refuse_file_and_s3()
    {
        var locked = new ServiceValidationOptions(false, false, false);
        var (_, fileErrors) = ServiceSpecValidator.Validate(Valid() with { NodeMap = "file:///tmp/n.json" }, locked);
        Assert.Contains("file:// node maps are disabled", fileErrors.ToDictionary()["nodeMap"][0]);
        var (_, s3Errors) = ServiceSpecValidator.Validate(Valid() with { Metadata = Valid().Metadata! with { Source = "s3://b-1/p/{node}.pem" } }, locked);
        Assert.Contains("metadata.source", s3Errors.ToDictionary().Keys);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("1h", "'1h' is not a duration")]
    [InlineData("an hour", "'an hour' is not a duration")]
    public void A_ttl_that_is_given_but_not_a_duration_is_not_called_missing(string? ttl, string expected)
    {
        var (_, errors) = ServiceSpecValidator.Validate(Valid() with { Metadata = Valid().Metadata! with { Ttl = ttl } }, Embedded);
        Assert.StartsWith(expected, errors.ToDictionary()["metadata.ttl"][0]);
    }

    [Fact]
    public void Null_body_is_an_error() => Assert.Contains("body", ServiceSpecValidator.Validate(null, Embedded).Errors.ToDictionary().Keys);

    [Theory]
    [InlineData("PT1H", 3600)]
    [InlineData("PT10S", 10)]
    [InlineData("P1D", 86400)]
    [InlineData("01:00:00", 3600)]
    [InlineData("1.00:00:00", 86400)]
    public void Durations_parse_iso_and_dotnet(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1h")]
    [InlineData("PTXS")]
    [InlineData(null)]
    public void Durations_reject_garbage(string? text) => Assert.False(Durations.TryParse(text, out _));
}
