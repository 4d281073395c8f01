using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;

namespace SegBridge.Tests.Integration;

/// <summary>`segbridge serve --ws`: the real executable on a loopback port, driven with ClientWebSocket.</summary>
public sealed class WebSocketTests
{
    private sealed record WsEngine(EngineProcess Engine, JsonElement Ready, string Token, string TokenFile, string Folder) : IAsyncDisposable
    {
        public Uri Rpc => new(Ready.GetProperty("ws").GetString()!);

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<WsEngine> StartAsync(string address = "127.0.0.1:0", params string[] extra)
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-ws").FullName;
        var tokenFile = Path.Combine(folder, "token");
        var engine = EngineProcess.Start(["serve", "--ws", address, "--token-file", tokenFile, .. extra]);
        var line = await engine.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                   ?? throw new InvalidOperationException("engine exited before its ready line: " + engine.StdErr);
        var ready = JsonDocument.Parse(line).RootElement.Clone();
        return new WsEngine(engine, ready, File.ReadAllText(tokenFile).Trim(), tokenFile, folder);
    }

    private static async Task<(ClientWebSocket Socket, HttpStatusCode Status)> TryConnectAsync(Uri uri, string? subprotocolToken = null, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (subprotocolToken is not null) socket.Options.AddSubProtocol("segbridge.token." + subprotocolToken);
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        try { await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (WebSocketException) { }
        return (socket, socket.HttpStatusCode);
    }

    private static JsonRpc JsonRpcOver(WebSocket socket)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) };
        var rpc = new JsonRpc(new WebSocketMessageHandler(socket, formatter));
        rpc.StartListening();
        return rpc;
    }

    private static async Task<JsonElement> ExchangeAsync(WebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 20];
        int count = 0;
        ValueWebSocketReceiveResult r;
        do
        {
            r = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            count += r.Count;
        } while (!r.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
    }

    [Fact]
    public async Task Token_file_is_created_0600_and_the_ready_line_names_every_endpoint()
    {
        var port = FreeLoopbackPort();
        var name = $"sbws-{Guid.NewGuid():N}"[..20];
        await using var ws = await StartAsync($"127.0.0.1:{port}", "--pipe", name);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ws.TokenFile));
        Assert.Matches("^[0-9a-f]{64}$", ws.Token); // 256 random bits
        Assert.Equal(["pipe", "path", "ws", "viewer", "tokenFile", "pid"], ws.Ready.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal($"ws://127.0.0.1:{port}/rpc", ws.Ready.GetProperty("ws").GetString());
        Assert.Equal(ws.TokenFile, ws.Ready.GetProperty("tokenFile").GetString());
        Assert.Equal(ws.Engine.Process.Id, ws.Ready.GetProperty("pid").GetInt32());

        // The pipe still works beside the WebSocket.
        await using var stream = await Clients.ConnectSocketAsync(ws.Ready.GetProperty("path").GetString()!);
        using var pipeRpc = Clients.Json(stream, stream);
        Assert.Contains("websocket", (await pipeRpc.InitializeAsync()).Capabilities.Transports);

        // The viewer's page is served read-only at / from beside the executable.
        using var http = new HttpClient();
        var page = await http.GetStringAsync(ws.Ready.GetProperty("viewer").GetString());
        Assert.Contains("app.js", page);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(new Uri(ws.Ready.GetProperty("viewer").GetString()!), "../plugin-manifests/random-walker.json"))).StatusCode);

        // An existing token file is reused as it is.
        ws.Engine.Terminate();
        await ws.Engine.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var again = EngineProcess.Start("serve", "--ws", "127.0.0.1:0", "--token-file", ws.TokenFile);
        await using (again)
        {
            await again.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ws.Token, File.ReadAllText(ws.TokenFile).Trim());
        }
    }

    [Fact]
    public async Task Missing_or_wrong_token_gets_401_before_the_upgrade()
    {
        await using var ws = await StartAsync();
        var (none, noneStatus) = await TryConnectAsync(ws.Rpc);
        Assert.Equal(HttpStatusCode.Unauthorized, noneStatus);
        Assert.NotEqual(WebSocketState.Open, none.State);

        var (_, wrongProtocol) = await TryConnectAsync(ws.Rpc, subprotocolToken: new string('0', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongProtocol);
        var (_, wrongQuery) = await TryConnectAsync(new Uri(ws.Rpc + "?token=" + ws.Token[..^1] + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongQuery);
        var (_, prefix) = await TryConnectAsync(new Uri(ws.Rpc + "?token=" + ws.Token[..32]));
        Assert.Equal(HttpStatusCode.Unauthorized, prefix);

        // The right token in the query works too.
        var (ok, okStatus) = await TryConnectAsync(new Uri(ws.Rpc + "?token=" + ws.Token));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, okStatus);
        Assert.Equal(WebSocketState.Open, ok.State);
        ok.Dispose();
    }

    [Fact]
    public async Task Non_loopback_bind_is_refused_unless_asked_for()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-ws").FullName;
        try
        {
            var token = Path.Combine(folder, "token");
            File.WriteAllText(token, "0123456789abcdef0123456789abcdef\n");
            File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            foreach (var address in new[] { "0.0.0.0:0", "[::]:0", "192.0.2.1:8765" })
            {
                var engine = EngineProcess.Start("serve", "--ws", address, "--token-file", token);
                await using (engine)
                {
                    Assert.NotEqual(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                    Assert.Contains("not a loopback address", engine.StdErr);
                    Assert.Contains("--ws-bind-any", engine.StdErr);
                }
            }
            var missingToken = EngineProcess.Start("serve", "--ws", "127.0.0.1:0");
            await using (missingToken)
            {
                Assert.NotEqual(0, await missingToken.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("--token-file", missingToken.StdErr);
            }
            var stdioToo = EngineProcess.Start("serve", "--stdio", "--ws", "127.0.0.1:0", "--token-file", token);
            await using (stdioToo)
            {
                Assert.Equal(2, await stdioToo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("--stdio serves one client alone", stdioToo.StdErr);
            }
            var leaky = EngineProcess.Start("serve", "--ws", "127.0.0.1:0", "--token-file", token);
            await using (leaky)
            {
                Assert.NotEqual(0, await leaky.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("chmod 600", leaky.StdErr);
            }
        }
        finally { Directory.Delete(folder, recursive: true); }

        await using var any = await StartAsync("0.0.0.0:0", "--ws-bind-any");
        Assert.StartsWith("ws://0.0.0.0:", any.Ready.GetProperty("ws").GetString());
    }

    [Fact]
    public async Task Foreign_origin_is_refused_loopback_and_allowed_origins_are_accepted()
    {
        await using var ws = await StartAsync("127.0.0.1:0", "--ws-allow-origin", "https://viewer.example.org");
        foreach (var origin in new[] { "http://evil.example", "null", "https://127.0.0.1.evil.example", "http://localhost.evil.example:8080" })
        {
            var (_, status) = await TryConnectAsync(ws.Rpc, ws.Token, origin);
            Assert.True(status == HttpStatusCode.Forbidden, $"origin {origin}: {status}");
        }
        foreach (var origin in new[] { "http://127.0.0.1:9999", "http://localhost:3000", "https://viewer.example.org" })
        {
            var (socket, status) = await TryConnectAsync(ws.Rpc, ws.Token, origin);
            Assert.True(status == HttpStatusCode.SwitchingProtocols, $"origin {origin}: {status}");
            socket.Dispose();
        }
    }

    [Fact]
    public async Task Correct_token_runs_the_viewer_workflow_over_a_websocket()
    {
        await using var ws = await StartAsync();
        var (socket, status) = await TryConnectAsync(ws.Rpc, ws.Token);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        Assert.Equal("segbridge.token." + ws.Token, socket.SubProtocol); // echoed, as browsers require
        using (socket)
        using (var rpc = JsonRpcOver(socket))
        {
            var png = TestImages.DiskPng(ViewerWorkflow.W, ViewerWorkflow.H, ViewerWorkflow.Cx, ViewerWorkflow.Cy, ViewerWorkflow.R);
            await ViewerWorkflow.RunAsync(rpc, new OpenImageParams { Encoded = png }, "graph-cut");

            // images/png gives the viewer the pixels the engine segments.
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = png });
            var back = await rpc.CallAsync<ImagePngResult>("images/png", new ImageIdParams { ImageId = img.ImageId });
            Assert.Equal((ViewerWorkflow.W, ViewerWorkflow.H), (back.Width, back.Height));
            Assert.Equal(new byte[] { 137, 80, 78, 71 }, back.Png[..4]);
            Assert.Equal(3001, (await rpc.ErrorAsync("images/png", new ImageIdParams { ImageId = "img-999" })).ErrorCode);
        }
    }

    [Fact]
    public async Task Malformed_message_gets_an_error_and_the_connection_stays_usable()
    {
        await using var ws = await StartAsync("127.0.0.1:0", "--max-frame-mb", "1");
        var (socket, _) = await TryConnectAsync(ws.Rpc, ws.Token);
        using (socket)
        {
            var notJson = await ExchangeAsync(socket, "{this is not json");
            Assert.Equal(-32700, notJson.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Null, notJson.GetProperty("id").ValueKind);

            var badRequest = await ExchangeAsync(socket, """{"jsonrpc":"2.0","id":7,"method":42}""");
            Assert.Equal(-32600, badRequest.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(7, badRequest.GetProperty("id").GetInt32());

            var tooBig = await ExchangeAsync(socket, """{"jsonrpc":"2.0","id":8,"method":"ping","params":{"x":" """ + new string('a', 2 << 20) + "\"}}");
            Assert.Contains("exceeds the limit", tooBig.GetProperty("error").GetProperty("message").GetString());

            var unknown = await ExchangeAsync(socket, """{"jsonrpc":"2.0","id":9,"method":"sessions/teleport","params":{}}""");
            Assert.Equal(-32601, unknown.GetProperty("error").GetProperty("code").GetInt32());

            var ping = await ExchangeAsync(socket, """{"jsonrpc":"2.0","id":10,"method":"ping"}""");
            Assert.Equal(10, ping.GetProperty("id").GetInt32());
            Assert.True(ping.GetProperty("result").TryGetProperty("serverTimeUtc", out _));
            var init = await ExchangeAsync(socket, """{"jsonrpc":"2.0","id":11,"method":"initialize","params":{"clientName":"raw","protocolVersion":"1.0"}}""");
            Assert.Equal(ProtocolInfo.Version, init.GetProperty("result").GetProperty("protocolVersion").GetString());
            Assert.Equal(WebSocketState.Open, socket.State);
        }
    }

    [Fact]
    public async Task A_path_outside_the_roots_is_refused_without_listing_the_engines_folders()
    {
        var root = Directory.CreateTempSubdirectory("segbridge-root").FullName;
        await using var ws = await StartAsync("127.0.0.1:0", "--allow-root", root);
        var (socket, _) = await TryConnectAsync(ws.Rpc, ws.Token);
        using (socket)
        using (var rpc = JsonRpcOver(socket))
        {
            await rpc.InitializeAsync();
            var refused = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = "/etc/hostname" });
            Assert.Equal(3004, refused.ErrorCode);
            Assert.Contains("'/etc/hostname' is outside the folders this engine may read", refused.Message);
            Assert.DoesNotContain(root, refused.Message);
        }
        Directory.Delete(root, recursive: true);
    }
}
