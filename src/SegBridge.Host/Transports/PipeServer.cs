using System.IO.Pipes;
using System.Net.Sockets;
using NLog;
using SegBridge.Engine;
using SegBridge.Host.Rpc;

namespace SegBridge.Host.Transports;

/// <summary>
/// `segbridge serve --pipe NAME`: a named pipe (on Linux a Unix domain socket at /tmp/CoreFxPipe_NAME,
/// or NAME itself when it starts with '/') for any number of clients at once, each with its own
/// connection over the shared engine. The socket is created for the current user only. Each connection
/// picks its encoding by its first byte: 'C' (Content-Length) is JSON, anything else MessagePack.
/// </summary>
internal sealed class PipeServer(SegBridgeEngine engine, string name, long maxFrameBytes)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private int _clients;

    public static string SocketPath(string name) => name.StartsWith('/') ? name : Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + name);

    private NamedPipeServerStream? _first;

    /// <summary>Claims the socket path and starts listening (mode 0600); returns the path. The caller prints the ready line.</summary>
    public string Bind()
    {
        var path = SocketPath(name);
        if (path.Length > 100) throw new CommandException($"pipe path '{path}' is {path.Length} bytes; Unix sockets allow at most 100 here — choose a shorter --pipe NAME");
        ClaimSocketPath(path);
        _first = NewServer();
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Log.Info("serving on pipe {0} ({1})", name, path);
        return path;
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var path = SocketPath(name);
        var connections = new List<Task>();
        try
        {
            var server = _first ?? throw new InvalidOperationException("Bind first");
            while (!ct.IsCancellationRequested)
            {
                await server.WaitForConnectionAsync(ct);
                connections.Add(ServeAsync(server, ct));
                connections.RemoveAll(t => t.IsCompleted);
                server = NewServer();
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { });
            try { File.Delete(path); } catch (IOException) { }
            Log.Info("pipe server stopped");
        }
        return 0;
    }

    private NamedPipeServerStream NewServer() => new(name, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances,
        PipeTransmissionMode.Byte, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);

    /// <summary>
    /// A live server on the path means another engine owns the name: refuse. A socket file nobody
    /// answers on was left by a killed engine: remove it (otherwise .NET would silently share or replace it).
    /// </summary>
    private static void ClaimSocketPath(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            throw new CommandException($"another engine is already serving {path}; stop it or choose another --pipe NAME");
        }
        catch (SocketException)
        {
            Log.Warn("removing stale socket {0} left by an engine that is gone", path);
            File.Delete(path);
        }
    }

    private async Task ServeAsync(NamedPipeServerStream pipe, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _clients);
        try
        {
            var first = new byte[1];
            if (await pipe.ReadAsync(first, ct) == 0) return;
            var encoding = first[0] == (byte)'C' ? WireEncoding.Json : WireEncoding.MessagePack;
            var stream = new PrefixedStream(first, pipe);
            var (rpc, api) = RpcConnection.Attach(engine, stream, stream, encoding, maxFrameBytes, onShutdown: null);
            Log.Info("pipe client {0} connected ({1})", id, encoding);
            await using var _ = ct.Register(rpc.Dispose);
            try { await rpc.Completion; }
            finally { api.OnDisconnected(); }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            Log.Info("pipe client {0} ended: {1}", id, e.Message);
        }
        finally
        {
            await pipe.DisposeAsync();
            Log.Info("pipe client {0} disconnected", id);
        }
    }
}
