using System.Text;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Integration;

/// <summary>The real executable driven over stdio and over the pipe, in JSON and MessagePack.</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task Stdio_json_runs_the_whole_viewer_workflow()
    {
        var path = TestImages.DiskPngFile();
        var (engine, rpc) = EngineProcess.StartStdio();
        await using (engine)
        using (rpc)
            await ViewerWorkflow.RunAsync(rpc, new OpenImageParams { Path = path });
        File.Delete(path);
    }

    [Fact]
    public async Task Stdio_messagepack_sends_raw_masks_as_binary()
    {
        var engine = EngineProcess.Start("serve", "--stdio", "--msgpack");
        await using (engine)
        {
            var duplex = new DuplexStream(engine.Process.StandardOutput.BaseStream, engine.Process.StandardInput.BaseStream);
            using var rpc = Clients.MessagePack(duplex);
            var rgb = TestImages.DiskRgb(ViewerWorkflow.W, ViewerWorkflow.H, ViewerWorkflow.Cx, ViewerWorkflow.Cy, ViewerWorkflow.R);
            await ViewerWorkflow.RunAsync(rpc, new OpenImageParams
            {
                Raw = new RawArray { Width = ViewerWorkflow.W, Height = ViewerWorkflow.H, Channels = 3, Dtype = "uint8", Data = rgb },
            });
        }
    }

    [Fact]
    public async Task Pipe_serves_two_clients_at_once_sharing_sessions()
    {
        var name = $"sbt-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24];
        var (engine, socket) = await EngineProcess.StartPipeAsync(name);
        await using (engine)
        {
            var mode = File.GetUnixFileMode(socket);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode & (UnixFileMode)0b111_111_111);

            var png = TestImages.DiskPng(ViewerWorkflow.W, ViewerWorkflow.H, ViewerWorkflow.Cx, ViewerWorkflow.Cy, ViewerWorkflow.R);
            var streamA = await Clients.ConnectSocketAsync(socket);
            var streamB = await Clients.ConnectSocketAsync(socket);
            using var a = Clients.Json(streamA, streamA);
            using var b = Clients.Json(streamB, streamB);
            await Task.WhenAll(
                ViewerWorkflow.RunAsync(a, new OpenImageParams { Encoded = png }, "random-walker"),
                ViewerWorkflow.RunAsync(b, new OpenImageParams { Encoded = png }, "watershed"));

            // A session made by one client is visible to the other (a notebook and a viewer on one annotation).
            var img = await a.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = png });
            var session = await a.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut" });
            var list = await b.CallAsync<SessionListResult>("sessions/list", new EmptyParams());
            Assert.Contains(list.Sessions, s => s.SessionId == session.SessionId);

            // A MessagePack client on the same endpoint.
            await using var sm = await Clients.ConnectSocketAsync(socket);
            using var m = Clients.MessagePack(sm);
            var init = await m.InitializeAsync("msgpack-client");
            Assert.Equal(ProtocolInfo.Version, init.ProtocolVersion);
            var mask = await m.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = session.SessionId, Click = new ClickDto { X = 60, Y = 50 }, Format = "raw",
            });
            Assert.Equal(ViewerWorkflow.W * ViewerWorkflow.H, mask.Data!.Length);
        }
    }

    [Fact]
    public async Task Second_pipe_server_on_the_same_name_is_refused_and_stale_socket_is_reclaimed()
    {
        var name = $"sbt-dup-{Guid.NewGuid():N}"[..20];
        var (first, socket) = await EngineProcess.StartPipeAsync(name);
        await using (first)
        {
            await using var second = EngineProcess.Start("serve", "--pipe", name);
            Assert.Equal(2, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("already serving", second.StdErr);
            first.Process.Kill();
            await first.Process.WaitForExitAsync();
        }
        Assert.True(File.Exists(socket), "a killed engine leaves its socket file behind");
        var (third, _) = await EngineProcess.StartPipeAsync(name);
        await using (third)
        {
            await using var s = await Clients.ConnectSocketAsync(socket);
            using var rpc = Clients.Json(s, s);
            await rpc.InitializeAsync();
        }
    }

    [Fact]
    public async Task Pipe_server_removes_its_socket_on_sigterm()
    {
        var name = $"sbt-term-{Guid.NewGuid():N}"[..20];
        var (engine, socket) = await EngineProcess.StartPipeAsync(name);
        await using (engine)
        {
            await using var s = await Clients.ConnectSocketAsync(socket);
            using var rpc = Clients.Json(s, s);
            await rpc.InitializeAsync();
            engine.Terminate();
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        Assert.False(File.Exists(socket), "the socket file should be removed on a clean stop");
    }

    [Fact]
    public async Task Stdio_finishes_pending_replies_when_stdin_closes_and_writes_only_frames_to_stdout()
    {
        await using var engine = EngineProcess.Start("serve", "--stdio");
        var requests = new StringBuilder();
        foreach (var (id, body) in new[]
                 {
                     (1, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1.0","clientName":"printf"}}"""),
                     (2, """{"jsonrpc":"2.0","id":2,"method":"models/list","params":{}}"""),
                 })
            requests.Append($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        var stdin = engine.Process.StandardInput;
        await stdin.WriteAsync(requests.ToString());
        stdin.Close();
        var stdout = await engine.Process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var frames = Frames.Parse(stdout);
        Assert.Equal(2, frames.Count);
        Assert.Contains("\"id\":1", frames[0]);
        // A 1.0 client is answered by this 1.x engine with its own version.
        Assert.Contains($"\"protocolVersion\":\"{ProtocolInfo.Version}\"", frames[0]);
        Assert.Contains("\"id\":2", frames[1]);
        Assert.True(frames[1].Contains("random-walker"), frames[1]);
    }

    [Fact]
    public async Task Stdio_engine_exits_when_its_client_process_dies()
    {
        using var parent = System.Diagnostics.Process.Start("sleep", "2");
        var (engine, rpc) = EngineProcess.StartStdio();
        await using (engine)
        using (rpc)
        {
            await rpc.CallAsync<InitializeResult>("initialize", new InitializeParams { ProtocolVersion = "1.0", ProcessId = parent.Id });
            await parent.WaitForExitAsync();
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("has exited", File.ReadAllText(Path.Combine(Path.GetTempPath(), "segbridge-tests.log")));
        }
    }
}

/// <summary>Reads and writes two different streams as one duplex stream (a child's stdout and stdin).</summary>
internal sealed class DuplexStream(Stream read, Stream write) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => read.ReadAsync(buffer, ct);
    public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => write.WriteAsync(buffer, ct);
    public override void Flush() => write.Flush();
    public override Task FlushAsync(CancellationToken ct) => write.FlushAsync(ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Splits Content-Length framed output and fails on any byte that is not part of a frame.</summary>
internal static class Frames
{
    public static List<string> Parse(string text)
    {
        var frames = new List<string>();
        int pos = 0;
        while (pos < text.Length)
        {
            var headerEnd = text.IndexOf("\r\n\r\n", pos, StringComparison.Ordinal);
            Assert.True(headerEnd > 0, $"stray bytes on stdout: {text[pos..]}");
            var header = text[pos..headerEnd];
            Assert.StartsWith("Content-Length: ", header);
            var length = int.Parse(header["Content-Length: ".Length..].Split("\r\n")[0]);
            var bodyStart = headerEnd + 4;
            var body = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text[bodyStart..])[..length]);
            frames.Add(body);
            pos = bodyStart + body.Length;
        }
        return frames;
    }
}
