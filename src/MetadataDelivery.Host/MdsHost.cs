using Akka.Hosting;
using MetadataDelivery.Engine.Configuration;
using MetadataDelivery.Engine.Hosting;
using MetadataDelivery.Engine.Metrics;
using MetadataDelivery.Host.Api;
using MetadataDelivery.Host.Auth;
using MetadataDelivery.Host.Demo;
using MetadataDelivery.Host.Metrics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace MetadataDelivery.Host;

/// <summary>Composes a member: configuration, the engine, the Akka cluster, the HTTP API, metrics, health, demo.</summary>
public static class MdsHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(HostArguments.WithDefaults(DemoSwitch.Translate(args)));
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
            builder.WebHost.UseUrls("http://localhost:8080");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = JsonBody.MaxBytes);

        DemoDataDir.ApplyDefault(builder.Configuration);
        var options = builder.Configuration.GetSection(MdsOptions.Section).Get<MdsOptions>() ?? new MdsOptions();
        if (DemoDataDir.RefusalFor(options.FullDataDir, builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled")) is { } refusal)
            throw new StartupRefusedException(refusal);
        Directory.CreateDirectory(options.FullDataDir);

        builder.Services.AddMdsEngine(builder.Configuration);
        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.Section));
        builder.Services.AddSingleton<AdminKeyProvider>();
        builder.Services.AddSingleton<ServiceClient>();
        builder.Services.AddHostedService<DemoRunner>();
        var apiOptions = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.Services.AddMdsRateLimiting(apiOptions);
        builder.Services.AddProblemDetails();
        builder.Services.AddMdsOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new UtcTimeConverter()));
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(MdsMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime")
            .AddOwnMetersOnlyView()
            .AddPrometheusExporter());
        builder.Services.AddAkka(AkkaBuilderExtensions.SystemName, (akka, provider) =>
            akka.ConfigureLoggers(l => { l.ClearLoggers(); l.AddLoggerFactory(); })
                .WithMds(provider.GetRequiredService<IOptions<MdsOptions>>().Value, provider));

        var app = builder.Build();
        app.Services.GetRequiredService<AdminKeyProvider>(); // generate and log the operator key at start
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BearerAuthMiddleware>();
        app.UseRateLimiter();

        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("liveness") });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => !c.Tags.Contains("liveness") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json").WithTitle("Metadata Delivery System API"));
        app.MapTenantEndpoints();
        app.MapServiceEndpoints();
        app.MapNodeEndpoints();
        app.MapAdminEndpoints();
        return app;
    }
}

/// <summary><c>--demo</c> on the command line is short for <c>--Mds:Demo:Enabled=true</c>.</summary>
public static class DemoSwitch
{
    public static string[] Translate(string[] args) =>
        args.Select(a => a == "--demo" ? "--Mds:Demo:Enabled=true" : a).ToArray();
}
