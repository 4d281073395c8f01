using System.Diagnostics;
using System.Text;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// Pipe clients that send requests with large replies and never read them must not slow anyone else down,
/// and once they leave more than the write-queue limit unread (2 × --max-frame-mb) they are disconnected.
/// </summary>
public sealed class SlowReaderTests(ITestOutputHelper output)
{
    private const int SlowClients = 16, RequestsEach = 12, Side = 700;

    [Fact]
    public async Task Clients_that_never_read_are_cut_off_and_do_not_stall_other_clients()
    {
        var (engine, path) = await EngineProcess.StartPipeAsync($"sb-slow-{Guid.NewGuid():N}"[..22], "--max-frame-mb", "1");
        await using (engine)
        {
            // One noise image (PNG hardly compresses it), so each images/png reply is about 650 kB of base64.
            var noise = new byte[Side * Side];
            new Random(11).NextBytes(noise);
            string imageId;
            var setupStream = await Clients.ConnectSocketAsync(path);
            using (var rpc = Clients.Json(setupStream, setupStream))
            {
                await rpc.InitializeAsync();
                imageId = (await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams
                {
                    Raw = new RawArray { Width = Side, Height = Side, Channels = 1, Dtype = "uint8", Data = noise },
                })).ImageId;
            }

            var slow = new List<Stream>();
            for (int c = 0; c < SlowClients; c++)
            {
                var s = await Clients.ConnectSocketAsync(path);
                await s.WriteAsync(HeaderWire.Frame($$$"""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"clientName":"never-reads","protocolVersion":"{{{ProtocolInfo.Version}}}"}}"""));
                for (int i = 0; i < RequestsEach; i++)
                    await s.WriteAsync(HeaderWire.Frame($$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"images/png","params":{"imageId":"{{{imageId}}}"}}"""));
                await s.FlushAsync();
                slow.Add(s);
            }
            // The engine cuts each one off once its unread replies pass the limit (2 MB here).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (CountOf(engine.StdErr, "not reading its replies") < SlowClients && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.Equal(SlowClients, CountOf(engine.StdErr, "not reading its replies"));

            // Others are served promptly: connecting, initialize and ping, a few times over.
            var worst = TimeSpan.Zero;
            for (int round = 0; round < 5; round++)
            {
                var clock = Stopwatch.StartNew();
                var stream = await Clients.ConnectSocketAsync(path);
                using (var rpc = Clients.Json(stream, stream))
                {
                    await rpc.InitializeAsync();
                    await rpc.CallAsync<PingResult>("ping", new EmptyParams());
                }
                if (clock.Elapsed > worst) worst = clock.Elapsed;
            }
            output.WriteLine($"worst connect + initialize + ping after {SlowClients} clients stopped reading: {worst.TotalMilliseconds:F0} ms");
            Assert.True(worst < TimeSpan.FromSeconds(2), $"a new client waited {worst.TotalMilliseconds:F0} ms");

            // Each slow client was disconnected: reading now finds the end of the stream before all its replies.
            foreach (var s in slow)
            {
                var replies = await CountRepliesUntilEndAsync(s, RequestsEach).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(replies < RequestsEach, $"a client that did not read got all {replies} replies: it was never cut off");
                await s.DisposeAsync();
            }
            Assert.False(engine.Process.HasExited);
        }
    }

    private static int CountOf(string text, string what)
    {
        int count = 0;
        for (int at = 0; (at = text.IndexOf(what, at, StringComparison.Ordinal)) >= 0; at += what.Length) count++;
        return count;
    }

    /// <summary>Replies read before the engine closed the stream (stops at <paramref name="all"/>, when it never does).</summary>
    private static async Task<int> CountRepliesUntilEndAsync(Stream s, int all)
    {
        const string Header = "Content-Length:";
        var buffer = new byte[1 << 16];
        var carry = "";
        int replies = 0;
        while (replies < all)
        {
            int n;
            try { n = await s.ReadAsync(buffer); }
            catch (IOException) { break; } // reset by the engine
            if (n == 0) break;
            var text = carry + Encoding.Latin1.GetString(buffer, 0, n);
            for (int at = 0; (at = text.IndexOf(Header, at, StringComparison.Ordinal)) >= 0; at += Header.Length) replies++;
            carry = text[^Math.Min(text.Length, Header.Length - 1)..]; // a header split across two reads is counted once
        }
        return replies;
    }
}
