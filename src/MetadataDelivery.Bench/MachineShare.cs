namespace MetadataDelivery.Bench;

/// <summary>Time used within a measured window (CPU, JIT) as a percentage of the whole machine: all its cores.</summary>
public static class MachineShare
{
    public static double Percent(TimeSpan used, double elapsedSeconds) =>
        used.TotalSeconds / elapsedSeconds / Environment.ProcessorCount * 100;
}
