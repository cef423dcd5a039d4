using System.Text.Json.Serialization;

namespace MetadataDelivery.Domain.Services;

/// <summary>The body of <c>POST/PUT /v1/services</c> exactly as the client sent it; nothing is trusted yet.</summary>
public sealed record ServiceRequest(string? Name, [property: JsonConverter(typeof(NodeMapLocationConverter))] string? NodeMap, MetadataRequest? Metadata, DeliveryRequest? Delivery);

public sealed record MetadataRequest(string? Source, string? Ttl, double? RenewAt, string? RefreshInterval);

public sealed record DeliveryRequest(string? Scheme, int? Port, string? Path, int? MaxConcurrency);
