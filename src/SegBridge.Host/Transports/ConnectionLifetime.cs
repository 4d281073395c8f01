using NLog;
using SegBridge.Host.Rpc;

namespace SegBridge.Host.Transports;

/// <summary>
/// One connection's life on a server: it runs until its client leaves. When the engine stops, the connection
/// already refuses new requests (see <see cref="SegBridgeJsonRpc"/>); here its replies in flight get until the
/// grace period is over to go out, and then the connection is closed, finished or not.
/// </summary>
internal static class ConnectionLifetime
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>Completes when the connection has ended; throws what its read loop ended with.</summary>
    public static async Task RunAsync(SegBridgeJsonRpc rpc, GracefulStop stop, string client)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task first;
        await using (stop.Stopping.Register(() => stopped.TrySetResult()))
            first = await Task.WhenAny(rpc.Completion, stopped.Task);
        if (first != rpc.Completion)
        {
            if (!await rpc.WaitForPendingRepliesAsync(stop.GraceOver))
                Log.Warn("{0}: {1} replies still unfinished when the stop grace period ({2:0.#} s) ended; closing without them",
                    client, rpc.PendingReplies, stop.Grace.TotalSeconds);
            rpc.Dispose();
        }
        await rpc.Completion;
    }
}
