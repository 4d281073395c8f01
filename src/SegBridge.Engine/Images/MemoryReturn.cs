using System.Runtime;

namespace SegBridge.Engine.Images;

/// <summary>
/// Gives the memory of a closed image back to the operating system. Large pixel arrays live on the large object
/// heap, which the garbage collector only reclaims in a full collection; with no new allocations pressing, that may
/// not come for a long time, and an annotator who closed a 200 MB slide region expects the engine to shrink.
/// So after a large release, one aggressive (compacting, decommitting) collection runs off the request's thread.
/// </summary>
internal static class MemoryReturn
{
    /// <summary>Releases smaller than this are left to the collector's own schedule.</summary>
    private const long WorthCollecting = 16L << 20;
    private static int _scheduled;

    public static void AfterReleasing(long bytes)
    {
        if (bytes < WorthCollecting) return;
        // Several closes in a row share one collection.
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Interlocked.Exchange(ref _scheduled, 0);
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        });
    }
}
