using MetadataDelivery.Host;

await MdsHost.Build(args).RunAsync();
