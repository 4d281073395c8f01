using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using NLog;
using SegBridge.Engine;
using SegBridge.Host.Rpc;

namespace SegBridge.Host.Transports;

/// <summary>
/// `segbridge serve --ws ADDRESS:PORT --token-file F`: JSON-RPC over WebSocket at /rpc (one connection per
/// WebSocket, one message per WebSocket message) for browser viewers, plus the web viewer's static files at /.
///
/// Why Kestrel and not HttpListener: Kestrel is the maintained server of the shared framework that ships with
/// the SDK (no NuGet download), lets us refuse a request with 401/403 before the upgrade, echo the token
/// subprotocol, and serve static files with correct content types; the managed HttpListener on Linux is
/// frozen, has no static-file support and answers the upgrade before we can inspect it as cleanly.
///
/// Replies go out through a bounded queue per connection, as on the pipe: a client that leaves more than
/// 2 × --max-frame-mb of replies unread is disconnected. On a stop signal Kestrel takes no new connections and the
/// open ones finish their replies in flight (see <see cref="ConnectionLifetime"/>).
/// </summary>
internal sealed class WebSocketServer(SegBridgeEngine engine, IPEndPoint endpoint, WebSocketAccess access, long maxMessageBytes, GracefulStop stop) : IAsyncDisposable
{
    private static readonly NLog.Logger Log = LogManager.GetCurrentClassLogger();
    private WebApplication? _app;
    private int _clients;

    /// <summary>The folder of static viewer files beside the executable (copied there by the build).</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "web");

    public IPEndPoint? Bound { get; private set; }
    public string RpcUrl => $"ws://{Bound}/rpc";
    public string ViewerUrl => $"http://{Bound}/";

    public async Task StartAsync()
    {
        var ct = stop.Stopping;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // NLog has the log; Kestrel's console logger would write on our ready-line stdout
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endpoint);
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
            await next(context);
        });
        app.Map("/rpc", (Func<HttpContext, Task>)HandleRpcAsync);
        if (Directory.Exists(WebRoot))
        {
            var files = new PhysicalFileProvider(WebRoot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = false });
        }
        else Log.Warn("no web viewer files at {0}; only /rpc is served", WebRoot);

        try { await app.StartAsync(ct); }
        catch (IOException e) { await app.DisposeAsync(); throw new CommandException($"--ws {endpoint}: cannot listen there: {e.Message}"); }
        _app = app;
        var address = app.Urls.First();
        Bound = new IPEndPoint(endpoint.Address, new Uri(address).Port);
        Log.Info("serving WebSocket on {0} (viewer {1})", RpcUrl, ViewerUrl);
    }

    public async Task<int> RunAsync()
    {
        try { await Task.Delay(Timeout.Infinite, stop.Stopping); }
        catch (OperationCanceledException) { }
        // Kestrel stops listening at once and waits for the open connections until the grace period is over.
        if (_app is not null) await _app.StopAsync(stop.GraceOver);
        Log.Info("WebSocket server stopped");
        return 0;
    }

    private async Task HandleRpcAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("this is a JSON-RPC WebSocket endpoint: connect with a WebSocket client\n");
            return;
        }
        var origin = context.Request.Headers.Origin.ToString();
        if (!access.OriginAllowed(origin))
        {
            Log.Warn("refused a WebSocket from origin '{0}' ({1})", origin, context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync($"origin {origin} is not allowed (loopback pages only; start the engine with --ws-allow-origin {origin} to allow it)\n");
            return;
        }
        if (!access.Authorize(context.WebSockets.WebSocketRequestedProtocols, context.Request.Query["token"].FirstOrDefault(), out var echo))
        {
            Log.Warn("refused a WebSocket without a valid token ({0})", context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "segbridge-token";
            await context.Response.WriteAsync("missing or wrong token: send subprotocol segbridge.token.TOKEN or ?token=TOKEN (the token is in the engine's --token-file)\n");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(echo);
        var id = Interlocked.Increment(ref _clients);
        var client = $"WebSocket client {id}";
        // Up to two replies of the largest message size may wait unread before the client counts as not reading.
        var send = new BoundedWriteStream(new WebSocketMessageStream(socket), 2 * maxMessageBytes, client, cutOff: socket.Abort);
        var (rpc, api) = RpcConnection.Attach(engine, socket, send, maxMessageBytes, onShutdown: null, stop.Stopping);
        Log.Info("{0} connected from {1} (origin '{2}')", client, context.Connection.RemoteIpAddress, origin);
        await using var _ = context.RequestAborted.Register(rpc.Dispose);
        try { await ConnectionLifetime.RunAsync(rpc, stop, client); }
        catch (Exception e) { Log.Info("{0} ended: {1}", client, e.Message); }
        finally { api.OnDisconnected(); }
        send.Dispose(); // the replies still queued go out before the close message
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
        Log.Info("{0} disconnected", client);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
