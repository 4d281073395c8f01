using System.Runtime.InteropServices;

namespace SegBridge.Host.Transports;

/// <summary>SIGTERM / SIGINT / SIGQUIT become a cancellation so transports can finish replies and clean up their socket.</summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, ctx => { ctx.Cancel = true; _cts.Cancel(); })).ToArray();
    }

    public CancellationToken Token => _cts.Token;

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
