using System.Net.Sockets;
using NLog;
using SegBridge.Engine;
using SegBridge.Host.Rpc;
using SegBridge.Host.Transports.Unix;

namespace SegBridge.Host.Transports;

/// <summary>
/// `segbridge serve --pipe NAME`: a Unix domain socket (see <see cref="PipeLocation"/> for where NAME puts it) for
/// any number of clients at once, each with its own connection over the shared engine. Only peers running as the
/// engine's user are served: the socket is mode 0600 in an owner-only folder, and each peer's credentials are
/// checked, since root passes any file mode. Each connection picks its encoding by its first byte: 'C'
/// (Content-Length) is JSON, anything else MessagePack.
/// </summary>
/// <remarks>
/// A listener of our own rather than NamedPipeServerStream: that class puts the socket straight into /tmp (where
/// another user can bind the name first), and it cannot stop accepting while its connections finish their replies.
/// </remarks>
internal sealed class PipeServer(SegBridgeEngine engine, string name, long maxFrameBytes)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private int _clients;
    private Socket? _listener;
    private string? _path;

    /// <summary>Claims the socket path and starts listening (mode 0600); returns the path. The caller prints the ready line.</summary>
    public string Bind()
    {
        if (OperatingSystem.IsWindows()) throw new CommandException("--pipe serves a Unix domain socket; it needs Linux");
        PipeLocation.PrepareFolder(name);
        var path = PipeLocation.SocketPath(name);
        if (path.Length > 100) throw new CommandException($"pipe path '{path}' is {path.Length} bytes; Unix sockets allow at most 100 here — choose a shorter --pipe NAME");
        ClaimSocketPath(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new CommandException($"cannot listen on {path}: {e.Message}");
        }
        (_listener, _path) = (listener, path);
        Log.Info("serving on pipe {0} ({1})", name, path);
        return path;
    }

    /// <summary>Serves until <see cref="GracefulStop.Stopping"/>, then lets the connections finish (see <see cref="ConnectionLifetime"/>).</summary>
    public async Task<int> RunAsync(GracefulStop stop)
    {
        var listener = _listener ?? throw new InvalidOperationException("Bind first");
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var peer = await listener.AcceptAsync(stop.Stopping);
                if (!Admit(peer)) continue;
                connections.Add(ServeAsync(peer, stop));
                connections.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            // No new connections from here on: a client that tries now finds no socket rather than a silent one.
            listener.Dispose();
            try { File.Delete(_path!); } catch (IOException) { }
            await Task.WhenAll(connections);
            Log.Info("pipe server stopped");
        }
        return 0;
    }

    /// <summary>Peers of another user are refused (root gets past the socket's 0600 mode); the server keeps serving.</summary>
    private static bool Admit(Socket peer)
    {
        try
        {
            var credentials = PeerCredentials.Of(peer);
            var own = FileOwner.CurrentUid;
            if (credentials.Uid == own) return true;
            Log.Warn("refused a pipe connection: process {0} of user id {1} is not the engine's user (user id {2})", credentials.Pid, credentials.Uid, own);
        }
        catch (SocketException e) { Log.Warn("refused a pipe connection: its peer credentials cannot be read: {0}", e.Message); }
        peer.Dispose();
        return false;
    }

    /// <summary>
    /// A live server on the path means another engine owns the name: refuse. A socket file nobody answers on was
    /// left by a killed engine: remove it. Anything else at the path (a file, a folder) is not ours to remove.
    /// </summary>
    private static void ClaimSocketPath(string path)
    {
        if (FileOwner.Of(path) is not { } found) return;
        if (found.Type != FileOwner.Kind.Socket) throw new CommandException($"{path} exists and is not a socket; remove it or choose another --pipe NAME");
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

    private async Task ServeAsync(Socket peer, GracefulStop stop)
    {
        var id = Interlocked.Increment(ref _clients);
        var client = $"pipe client {id}";
        var pipe = new NetworkStream(peer, ownsSocket: true);
        try
        {
            var first = new byte[1];
            if (await pipe.ReadAsync(first, stop.Stopping) == 0) return; // one that has sent nothing yet has nothing in flight
            var encoding = first[0] == (byte)'C' ? WireEncoding.Json : WireEncoding.MessagePack;
            // Up to two replies of the largest frame size may wait unread before the client counts as not reading.
            var stream = new BoundedWriteStream(new PrefixedStream(first, pipe), 2 * maxFrameBytes, client);
            var (rpc, api) = RpcConnection.Attach(engine, stream, stream, encoding, maxFrameBytes, onShutdown: null, stop.Stopping);
            Log.Info("{0} connected ({1})", client, encoding);
            try { await ConnectionLifetime.RunAsync(rpc, stop, client); }
            finally { api.OnDisconnected(); }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
            Log.Info("{0} ended: {1}", client, e.Message);
        }
        finally
        {
            await pipe.DisposeAsync();
            Log.Info("{0} disconnected", client);
        }
    }
}
