using MetadataDelivery.Agent;

await AgentApp.Build(args).RunAsync();
