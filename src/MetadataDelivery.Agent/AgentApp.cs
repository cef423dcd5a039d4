namespace MetadataDelivery.Agent;

/// <summary>Builds the node agent: one POST endpoint (CONTRACT §3), health, and the start-up pull.</summary>
public static class AgentApp
{
    /// <param name="beforeEndpoints">lets tests put middleware in front (e.g. to inject failures).</param>
    public static WebApplication Build(string[] args, Action<WebApplication>? beforeEndpoints = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
            builder.WebHost.UseUrls("http://0.0.0.0:7070");
        builder.Services.AddOptions<AgentOptions>().Bind(builder.Configuration.GetSection(AgentOptions.Section));
        var options = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MetadataStore>();
        builder.Services.AddSingleton<ReloadHook>();
        builder.Services.AddSingleton<EnvelopeAcceptor>();
        builder.Services.AddHttpClient();
        builder.Services.AddHostedService<StartupPull>();

        var app = builder.Build();
        beforeEndpoints?.Invoke(app);
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapPost(options.Path, async (HttpContext http, EnvelopeAcceptor acceptor) =>
        {
            byte[] body;
            try
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
                body = buffer.ToArray();
            }
            catch (BadHttpRequestException ex)
            {
                return Results.Json(new { error = ex.Message }, statusCode: ex.StatusCode);
            }
            var verdict = await acceptor.AcceptAsync(body, http.Request.Headers[Domain.Delivery.PushSignature.TimestampHeader],
                http.Request.Headers[Domain.Delivery.PushSignature.SignatureHeader], http.RequestAborted);
            return verdict.Status == 200
                ? Results.Json(new { version = verdict.Version })
                : Results.Json(new { error = verdict.Error }, statusCode: verdict.Status);
        });
        return app;
    }
}
