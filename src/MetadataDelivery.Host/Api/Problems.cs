using MetadataDelivery.Domain.Services;

namespace MetadataDelivery.Host.Api;

/// <summary>RFC 7807 problem+json results, the only error shape the API returns.</summary>
public static class Problems
{
    public static IResult Status(int status, string title, string? detail = null) =>
        Results.Problem(title: title, detail: detail, statusCode: status);

    public static IResult Validation(ValidationErrors errors, string? detail = null) =>
        Results.ValidationProblem(errors.ToDictionary(), detail: detail ?? "The request has invalid fields.", title: "Invalid request");

    public static IResult Validation(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Validation(errors);
    }

    public static IResult Unauthorized(bool keyGiven) => Status(401, "Unauthorized",
        keyGiven ? "The API key is not valid." : "An 'Authorization: Bearer <key>' header is required.");

    public static IResult Forbidden() => Status(403, "Forbidden", "This route needs the operator key.");
    public static IResult ServiceNotFound(string name) => Status(404, "Service not found", $"There is no service '{name}'.");
    public static IResult NodeNotFound(string service, string node) => Status(404, "Node not found", $"Service '{service}' has no node '{node}'.");
    public static IResult Unavailable(string detail) => Status(503, "Service unavailable", detail);
}
