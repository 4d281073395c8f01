using System.Runtime.InteropServices;
using NLog;

namespace SegBridge.Host.Transports;

/// <summary>
/// How a server stops on SIGTERM / SIGINT / SIGQUIT: <see cref="Stopping"/> fires at the first signal (transports
/// take no new connections and answer new requests with EngineStopping), <see cref="GraceOver"/> once the grace
/// period has passed after it, or at a second signal: then connections close whether or not their replies are done.
/// </summary>
internal sealed class GracefulStop : IDisposable
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly CancellationTokenSource _stopping;
    private readonly CancellationTokenSource _graceOver = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenRegistration _startGrace;
    private int _signals;

    public GracefulStop(TimeSpan grace, CancellationToken outer)
    {
        Grace = grace;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _startGrace = _stopping.Token.Register(() =>
        {
            Log.Info("stopping: no new connections or requests; replies in flight have {0:0.#} s to finish", grace.TotalSeconds);
            _graceOver.CancelAfter(grace);
        });
        _registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, ctx => { ctx.Cancel = true; OnSignal(ctx.Signal); })).ToArray();
    }

    public TimeSpan Grace { get; }

    /// <summary>Fires at the first stop signal.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Fires <see cref="Grace"/> after <see cref="Stopping"/>, or at a second signal.</summary>
    public CancellationToken GraceOver => _graceOver.Token;

    private void OnSignal(PosixSignal signal)
    {
        if (Interlocked.Increment(ref _signals) == 1) { Log.Info("{0} received", signal); _stopping.Cancel(); return; }
        Log.Warn("{0} received again: stopping now, without waiting for the replies in flight", signal);
        _graceOver.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _startGrace.Dispose();
        _stopping.Dispose();
        _graceOver.Dispose();
    }
}
