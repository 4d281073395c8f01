using System.Text;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>
/// Every kind of bad request gets its own specific error and the engine keeps serving: one engine
/// process takes all of them in a row, then still answers a ping and a real segmentation.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_bad_request_gets_a_specific_error_and_the_engine_keeps_serving()
    {
        var imagePath = TestImages.DiskPngFile();
        var textFile = Path.GetTempFileName();
        File.WriteAllText(textFile, "this is not an image");
        var (engine, rpc) = EngineProcess.StartStdio("--max-pixels", "20000");
        await using (engine)
        using (rpc)
        {
            var early = await rpc.ErrorAsync("models/list", new EmptyParams());
            Expect(early, 1001, "initialize");

            var mismatch = await rpc.ErrorAsync("initialize", new InitializeParams { ProtocolVersion = "2.3", ClientName = "future-viewer" });
            Expect(mismatch, 1002, "2.3");
            Assert.Contains(ProtocolInfo.Version, mismatch.Message);

            var noVersion = await rpc.ErrorAsync("initialize", new InitializeParams { ClientName = "x" });
            Expect(noVersion, 1003, "protocolVersion");

            await rpc.InitializeAsync();

            Expect(await rpc.ErrorAsync("sessions/teleport", new EmptyParams()), -32601, "sessions/teleport");
            Expect(await rpc.ErrorAsync("images/open", new { path = 5 }), -32602, "");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams()), 1003, "exactly one of path, encoded or raw");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Path = textFile }), 3002, "not a PNG, JPEG or TIFF");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Path = "/no/such/file.png" }), 3002, "/no/such/file.png");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Encoded = Encoding.ASCII.GetBytes("\x89PNG\r\n\x1a\nbroken") }), 3002, "");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Encoded = TestImages.DiskPng(200, 200, 100, 100, 40) }), 3003, "20000");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Raw = new RawArray { Width = 10, Height = 10, Channels = 3, Dtype = "uint8", Data = new byte[7] } }), 1003, "raw.data");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Raw = new RawArray { Width = -4, Height = 10, Channels = 3, Dtype = "uint8", Data = new byte[7] } }), 1003, "width");
            Expect(await rpc.ErrorAsync("images/open", new OpenImageParams { Raw = new RawArray { Width = 4, Height = 4, Channels = 3, Dtype = "complex128", Data = new byte[48] } }), 1003, "dtype");

            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = imagePath });
            Expect(await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "sam-9000" }), 2001, "random-walker");
            Expect(await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = "img-999", ModelId = "watershed" }), 3001, "img-999");
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed" });
            var id = session.SessionId;

            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = 5000, Y = 12 } }), 4002, "outside the 120×100 image");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = -1, Y = 12 } }), 4002, "outside");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = 5, Y = 5, Radius = -2 } }), 4002, "click.radius");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Scribble = new ScribbleDto { Points = [] } }), 4002, "empty");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Scribble = new ScribbleDto { Points = [[1, 2, 3]] } }), 4002, "[x, y]");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Scribble = new ScribbleDto { Points = [[500, 500], [600, 600]] } }), 4002, "outside");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Box = new BoxDto { X0 = 50, Y0 = 50, X1 = 10, Y1 = 60 } }), 4002, "empty");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Labels = new LabelsDto { Raw = new byte[10] } }), 4002, "12000");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Labels = new LabelsDto { Raw = new byte[120 * 100] } }), 4002, "no labelled pixel");
            var badLabels = new byte[120 * 100]; badLabels[7] = 9;
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Labels = new LabelsDto { Raw = badLabels } }), 4002, "value 9");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id }), 1003, "one interaction");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = 1, Y = 1 }, Box = new BoxDto { X0 = 0, Y0 = 0, X1 = 5, Y1 = 5 } }), 1003, "exactly one");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = 60, Y = 50 }, Format = "jpeg2000" }), 1003, "rle, png, raw, polygons");
            Expect(await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = "ses-404", Click = new ClickDto { X = 60, Y = 50 } }), 4001, "ses-404");
            Expect(await rpc.ErrorAsync("sessions/undo", new SessionParams { SessionId = id }), 4003, "undo");
            Expect(await rpc.ErrorAsync("sessions/redo", new SessionParams { SessionId = id }), 4004, "redo");
            Expect(await rpc.ErrorAsync("sessions/mask", new SessionParams { SessionId = id, Tolerance = -1 }), 1003, "tolerance");

            // Still serving, and nothing stored was lost: the session works normally.
            await rpc.CallAsync<PingResult>("ping", new EmptyParams());
            var ok = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = id, Click = new ClickDto { X = 60, Y = 50 }, Format = "raw" });
            Assert.Equal(1, ok.InteractionCount);
            Assert.True(TestImages.DiskIoU(ok.Data!, 120, 100, 60, 50, 25) > 0.8);
            Assert.DoesNotContain("   at ", engine.StdErr);
        }
        File.Delete(imagePath);
        File.Delete(textFile);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}")]
    public async Task Malformed_frames_do_not_stop_the_engine(string body)
    {
        await using var engine = EngineProcess.Start("serve", "--stdio");
        var stdin = engine.Process.StandardInput.BaseStream;
        await WriteFrame(stdin, body);
        await WriteFrame(stdin, """{"jsonrpc":"2.0","id":99,"method":"ping","params":{}}""");
        engine.Process.StandardInput.Close();
        var stdout = await engine.Process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(stdout);
        var frames = Frames.Parse(stdout);
        Assert.Contains(frames, f => f.Contains("\"id\":99") && f.Contains("serverTimeUtc"));
        Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task WriteFrame(Stream s, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await s.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"));
        await s.WriteAsync(bytes);
        await s.FlushAsync();
    }

    private void Expect(RpcError e, int code, string messagePart)
    {
        output.WriteLine($"{code}: {e.Message}");
        Assert.True(e.ErrorCode == code, $"expected code {code}, got {e.ErrorCode}: {e.Message}");
        Assert.Contains(messagePart, e.Message);
    }
}
