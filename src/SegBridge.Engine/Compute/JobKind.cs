namespace SegBridge.Engine.Compute;

/// <summary>How the compute queue treats a job: whether a user is waiting on it, and how it holds the device.</summary>
public enum JobKind
{
    /// <summary>
    /// A user waits for the answer (a click's mask, a propagation): cut off by the request timeout, and replaced by a
    /// newer job with the same supersede key (a newer click makes the older one's answer useless).
    /// </summary>
    Interactive,

    /// <summary>Minutes of work (a slide, a volume evaluation, training): one device slot for its whole run, no timeout, never superseded.</summary>
    Long,

    /// <summary>
    /// Minutes of work made of many model calls (a click evaluation): no timeout, never superseded, and each call takes a
    /// device slot of its own through <see cref="ComputeQueue.OnSlot{T}"/>, so other clients' clicks get in between.
    /// </summary>
    Stepwise,
}
