namespace SegBridge.Engine.Compute;

/// <summary>One request for compute: what kind it is, whose it is, and what it replaces or waits behind.</summary>
/// <param name="Client">The connection it counts against (its own queue bound); null counts against the engine's only.</param>
public sealed record ComputeJob(JobKind Kind, ComputeClient? Client = null)
{
    /// <summary>
    /// Starting a job with this key cancels the earlier one with the same key, waiting or running (interactive jobs
    /// only; a session's id, so a newer click replaces an older one on the same session).
    /// </summary>
    public string? SupersedeKey { get; init; }

    /// <summary>Taken before the device slot and held while the work runs, so the jobs of one session apply in the order they came.</summary>
    public SemaphoreSlim? Ordering { get; init; }
}

/// <summary>One connection's share of the compute queue: how many of its jobs are running or waiting.</summary>
public sealed class ComputeClient
{
    internal int Queued;

    /// <summary>Jobs of this client now running or waiting.</summary>
    public int InFlight => Volatile.Read(ref Queued);
}
