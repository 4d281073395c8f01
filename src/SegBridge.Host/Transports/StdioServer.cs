using NLog;
using SegBridge.Engine;
using SegBridge.Host.Rpc;

namespace SegBridge.Host.Transports;

/// <summary>
/// `segbridge serve --stdio`: one client on stdin/stdout. Exits when stdin closes (after writing the
/// replies still pending), on `shutdown`, when the client process named in `initialize` dies, or on a stop
/// signal (after the replies in flight, within the grace period; new requests are refused meanwhile).
/// </summary>
internal static class StdioServer
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static async Task<int> RunAsync(SegBridgeEngine engine, WireEncoding encoding, long maxFrameBytes, GracefulStop signals)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(signals.Stopping);
        SegBridgeJsonRpc? rpc = null;
        var stdin = new DrainOnEofStream(Console.OpenStandardInput(),
            () => rpc?.WaitForPendingRepliesAsync(TimeSpan.FromMinutes(10)) ?? Task.CompletedTask);
        var stdout = Console.OpenStandardOutput();
        (rpc, var api) = RpcConnection.Attach(engine, stdout, stdin, encoding, maxFrameBytes, onShutdown: () =>
            _ = Task.Run(async () => { await rpc!.WaitForPendingRepliesAsync(TimeSpan.FromSeconds(30)); stop.Cancel(); }), signals.Stopping);
        Log.Info("serving on stdio ({0})", encoding);

        var parentWatch = ParentWatch.RunAsync(() => api.ClientProcessId, stop);
        var finished = await Task.WhenAny(rpc.Completion, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }));
        if (finished != rpc.Completion)
        {
            if (signals.Stopping.IsCancellationRequested) await rpc.WaitForPendingRepliesAsync(signals.GraceOver);
            else await rpc.WaitForPendingRepliesAsync(TimeSpan.FromSeconds(30));
            rpc.Dispose();
        }
        // A console read cannot be cancelled on Linux: when we stop for a dead parent or `shutdown`,
        // the read loop stays blocked on stdin, so wait for it only briefly before exiting.
        try { await rpc.Completion.WaitAsync(TimeSpan.FromSeconds(2)); }
        catch (TimeoutException) { Log.Info("stdin still open; exiting without waiting for it"); }
        catch (Exception e) { Log.Info("stdio connection ended: {0}", e.Message); }
        api.OnDisconnected();
        stop.Cancel();
        await parentWatch;
        Log.Info("stdio server exiting");
        return 0;
    }
}
