using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// WebSocket clients that send requests with large replies and never read them are disconnected once they leave
/// more than the write-queue limit unread (2 × --max-frame-mb), as pipe clients are, and others are still served.
/// </summary>
public sealed class WebSocketSlowReaderTests(ITestOutputHelper output)
{
    private const int SlowClients = 6, RequestsEach = 16, Side = 700;

    [Fact]
    public async Task WebSocket_clients_that_never_read_are_cut_off_and_others_are_still_served()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-ws-slow").FullName;
        var engine = EngineProcess.Start("serve", "--ws", "127.0.0.1:0", "--token-file", Path.Combine(folder, "token"), "--max-frame-mb", "1");
        await using (engine)
        {
            var line = await engine.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                       ?? throw new InvalidOperationException("engine exited before its ready line: " + engine.StdErr);
            var rpcUri = new Uri(JsonDocument.Parse(line).RootElement.GetProperty("ws").GetString()!);
            var token = File.ReadAllText(Path.Combine(folder, "token")).Trim();

            // One noise image (PNG hardly compresses it), so each images/png reply is about 650 kB of base64.
            var noise = new byte[Side * Side];
            new Random(11).NextBytes(noise);
            string imageId;
            await using (var setup = new WebSocketWire(await ConnectAsync(rpcUri, token)))
            {
                await setup.SendMessageAsync(Initialize);
                Assert.True((await setup.ReceiveAsync()).TryGetProperty("result", out _));
                await setup.SendMessageAsync(JsonSerializer.Serialize(new
                {
                    jsonrpc = "2.0", id = 1, method = "images/open",
                    @params = new { raw = new { width = Side, height = Side, channels = 1, dtype = "uint8", data = Convert.ToBase64String(noise) } },
                }));
                var opened = await setup.ReceiveAsync();
                Assert.True(opened.TryGetProperty("result", out var image), opened.ToString());
                imageId = image.GetProperty("imageId").GetString()!;
            }

            var slow = new List<ClientWebSocket>();
            for (int c = 0; c < SlowClients; c++)
            {
                var socket = await ConnectAsync(rpcUri, token);
                await socket.SendAsync(Encoding.UTF8.GetBytes(Initialize), WebSocketMessageType.Text, true, CancellationToken.None);
                for (int i = 0; i < RequestsEach; i++)
                    await socket.SendAsync(Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"images/png","params":{"imageId":"{{{imageId}}}"}}"""),
                        WebSocketMessageType.Text, true, CancellationToken.None);
                slow.Add(socket);
            }
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (CountOf(engine.StdErr, "not reading its replies") < SlowClients && DateTime.UtcNow < deadline) await Task.Delay(200);
            output.WriteLine(engine.StdErr);
            Assert.Equal(SlowClients, CountOf(engine.StdErr, "not reading its replies"));

            var clock = Stopwatch.StartNew();
            await using (var other = new WebSocketWire(await ConnectAsync(rpcUri, token)))
            {
                await other.SendMessageAsync(RawWire.Ping(7));
                Assert.True((await other.ReceiveAsync()).TryGetProperty("result", out _));
            }
            output.WriteLine($"connect + ping after {SlowClients} WebSocket clients stopped reading: {clock.ElapsedMilliseconds} ms");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a new client waited {clock.ElapsedMilliseconds} ms");

            // Each slow client was disconnected: reading now ends (close or reset) before all its replies.
            foreach (var socket in slow)
            {
                var replies = await CountRepliesUntilEndAsync(socket).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(replies < RequestsEach + 1, $"a client that did not read got all {replies} replies: it was never cut off");
                socket.Dispose();
            }
            Assert.False(engine.Process.HasExited);
        }
        Directory.Delete(folder, recursive: true);
    }

    private static readonly string Initialize =
        $$$"""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"clientName":"ws-slow-reader","protocolVersion":"{{{ProtocolInfo.Version}}}"}}""";

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("segbridge.token." + token);
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return socket;
    }

    private static async Task<int> CountRepliesUntilEndAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        int replies = 0;
        while (replies < RequestsEach + 1)
        {
            ValueWebSocketReceiveResult r;
            try { r = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None); }
            catch (WebSocketException) { break; } // aborted by the engine
            if (r.MessageType == WebSocketMessageType.Close) break;
            if (r.EndOfMessage) replies++;
        }
        return replies;
    }

    private static int CountOf(string text, string what)
    {
        int count = 0;
        for (int at = 0; (at = text.IndexOf(what, at, StringComparison.Ordinal)) >= 0; at += what.Length) count++;
        return count;
    }
}
