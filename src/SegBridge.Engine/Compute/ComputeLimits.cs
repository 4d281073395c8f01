namespace SegBridge.Engine.Compute;

/// <summary>The queue's limits; <see cref="From"/> takes them from the engine's options.</summary>
/// <param name="Slots">Jobs (or steps of stepwise jobs) running on the device at once.</param>
/// <param name="MaxQueued">Jobs running or waiting in the whole engine.</param>
/// <param name="MaxQueuedPerClient">Jobs one connection may have running or waiting.</param>
/// <param name="InteractiveTimeout">How long an interactive job may take, waiting included.</param>
public sealed record ComputeLimits(int Slots, int MaxQueued, int MaxQueuedPerClient, TimeSpan InteractiveTimeout)
{
    public static ComputeLimits From(EngineOptions options)
        => new(options.ComputeSlots, options.MaxQueuedWork, options.MaxQueuedPerClient, options.RequestTimeout);
}
