using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MetadataDelivery.Host.Api;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the interactive reference at <c>/docs</c>.</summary>
public static class OpenApiSetup
{
    public const string BearerScheme = "bearer";
    private static readonly string[] Anonymous = ["/healthz", "/metrics", "/openapi", "/docs"];

    public static IServiceCollection AddMdsOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Metadata Delivery System API",
                Version = "v1",
                Description = "Self-onboarding control plane: tenants, services, per-node delivery status, forced delivery, pull, and cluster operations. Errors are RFC 7807 problem+json.",
                License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
                Contact = new OpenApiContact { Name = "Metadata Delivery team" },
            };
            document.Servers = [new OpenApiServer { Url = "/", Description = "this member" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The operator key (tenants, cluster) or a tenant key (that tenant's services).",
            };
            document.Tags = new HashSet<OpenApiTag>
            {
                new() { Name = "tenants", Description = "Tenants and their API keys (operator key)." },
                new() { Name = "services", Description = "Services of the calling tenant." },
                new() { Name = "nodes", Description = "Per-node status, forced delivery and the pull path." },
                new() { Name = "admin", Description = "Cluster and sharding operations (operator key)." },
                new() { Name = "operations", Description = "Health and metrics (no key)." },
            };
            AddOperationalPaths(document);
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var path = "/" + (context.Description.RelativePath ?? "");
            if (!Anonymous.Any(a => path.StartsWith(a, StringComparison.Ordinal)))
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            return Task.CompletedTask;
        });
    });

    /// <summary>Health checks and the Prometheus endpoint are not minimal-API endpoints; describe them by hand.</summary>
    private static void AddOperationalPaths(OpenApiDocument document)
    {
        document.Paths ??= new OpenApiPaths();
        foreach (var (path, id, summary, contentType) in new[]
        {
            ("/healthz/live", "Liveness", "Liveness: the process and its actor system are alive.", "text/plain"),
            ("/healthz/ready", "Readiness", "Readiness: this member is Up in the cluster.", "text/plain"),
            ("/metrics", "Metrics", "Prometheus metrics in text exposition format.", "text/plain"),
        })
        {
            var ok = new OpenApiResponse { Description = "OK", Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } } };
            var operation = new OpenApiOperation
            {
                OperationId = id,
                Summary = summary,
                Tags = new HashSet<OpenApiTagReference> { new("operations", document) },
                Responses = new OpenApiResponses { ["200"] = ok },
                Security = [],
            };
            if (path.StartsWith("/healthz", StringComparison.Ordinal))
                operation.Responses["503"] = new OpenApiResponse { Description = "Unhealthy", Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } } };
            document.Paths[path] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
        }
    }

    /// <summary>Names, documents and tags one endpoint, and declares the errors every authenticated route can answer.</summary>
    public static RouteHandlerBuilder Doc(this RouteHandlerBuilder route, string operationId, string summary, string tag) => route
        .WithName(operationId)
        .WithSummary(summary)
        .WithTags(tag)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
