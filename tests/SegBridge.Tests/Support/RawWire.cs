using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace SegBridge.Tests.Support;

/// <summary>
/// A client that writes whatever bytes a test gives it and reads the engine's replies as JSON, the way a
/// hostile or broken peer would talk: no JSON-RPC library between the test and the wire.
/// </summary>
public abstract class RawWire : IAsyncDisposable
{
    /// <summary>Writes bytes exactly as given (a whole frame, half a frame, or garbage).</summary>
    public abstract Task SendRawAsync(byte[] bytes);

    /// <summary>Writes one well-formed message in this wire's framing.</summary>
    public abstract Task SendMessageAsync(string json);

    /// <summary>The next reply, as JSON (MessagePack replies are converted).</summary>
    public abstract Task<JsonElement> ReceiveAsync();

    public abstract ValueTask DisposeAsync();

    public static string Ping(object id) => $$"""{"jsonrpc":"2.0","id":{{JsonSerializer.Serialize(id)}},"method":"ping"}""";
}

/// <summary>JSON with Content-Length headers over a pair of streams (stdio, or one pipe connection).</summary>
public sealed class HeaderWire(Stream send, Stream receive, IAsyncDisposable? owner = null) : RawWire
{
    private readonly BufferedStream _in = new(receive);

    public static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    public override async Task SendRawAsync(byte[] bytes)
    {
        await send.WriteAsync(bytes);
        await send.FlushAsync();
    }

    public override Task SendMessageAsync(string json) => SendRawAsync(Frame(json));

    public override async Task<JsonElement> ReceiveAsync()
    {
        long length = -1;
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.Length == 0 && length >= 0) break;
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = long.Parse(line[15..].Trim());
            else if (line.Length > 0) throw new InvalidDataException($"the engine wrote a header line that is not Content-Length: '{line}'");
        }
        var body = new byte[length];
        await _in.ReadExactlyAsync(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> ReadLineAsync()
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _in.ReadAsync(one) == 0) throw new EndOfStreamException("the engine closed its output");
            if (one[0] == '\n') return sb.ToString().TrimEnd('\r');
            sb.Append((char)one[0]);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (owner is not null) await owner.DisposeAsync();
    }
}

/// <summary>MessagePack with a 4-byte big-endian length prefix over a pair of streams.</summary>
public sealed class LengthPrefixWire(Stream send, Stream receive, IAsyncDisposable? owner = null) : RawWire
{
    public static byte[] Frame(byte[] body)
    {
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    public override async Task SendRawAsync(byte[] bytes)
    {
        await send.WriteAsync(bytes);
        await send.FlushAsync();
    }

    public override Task SendMessageAsync(string json) => SendRawAsync(Frame(MessagePackSerializer.ConvertFromJson(json)));

    public override async Task<JsonElement> ReceiveAsync()
    {
        var prefix = new byte[4];
        await receive.ReadExactlyAsync(prefix);
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
        await receive.ReadExactlyAsync(body);
        return JsonDocument.Parse(MessagePackSerializer.ConvertToJson(body)).RootElement.Clone();
    }

    public override async ValueTask DisposeAsync()
    {
        if (owner is not null) await owner.DisposeAsync();
    }
}

/// <summary>One JSON message per WebSocket text message.</summary>
public sealed class WebSocketWire(WebSocket socket) : RawWire
{
    public override Task SendRawAsync(byte[] bytes)
        => socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public override Task SendMessageAsync(string json) => SendRawAsync(Encoding.UTF8.GetBytes(json));

    public override async Task<JsonElement> ReceiveAsync()
    {
        var buffer = new byte[1 << 20];
        int count = 0;
        ValueWebSocketReceiveResult r;
        do
        {
            r = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close) throw new EndOfStreamException($"the engine closed the WebSocket ({socket.CloseStatus}: {socket.CloseStatusDescription})");
            count += r.Count;
        } while (!r.EndOfMessage);
        return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
    }

    public override ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
