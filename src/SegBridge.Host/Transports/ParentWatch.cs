using NLog;

namespace SegBridge.Host.Transports;

/// <summary>Stops the engine when the client process that launched it has died, as LSP servers do.</summary>
internal static class ParentWatch
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static async Task RunAsync(Func<int?> parentPid, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(1000, stop.Token);
                if (parentPid() is int pid && !IsAlive(pid))
                {
                    Log.Warn("client process {0} has exited; shutting down", pid);
                    stop.Cancel();
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
