using MetadataDelivery.Host;
using MetadataDelivery.Host.Demo;

if (HealthProbe.IsProbe(args)) return await HealthProbe.RunAsync(args, Console.Error);
try
{
    await MdsHost.Build(args).RunAsync();
}
catch (StartupRefusedException refused)
{
    Console.Error.WriteLine("mds: " + refused.Message);
    return 2;
}
return 0;
