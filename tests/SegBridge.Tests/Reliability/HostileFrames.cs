using System.Text;
using System.Text.Json;
using MessagePack;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// One hostile input and what the engine must answer: exactly <see cref="Errors"/> error replies, the first with
/// <see cref="Code"/>, a message containing <see cref="MessagePart"/> and the id <see cref="ReplyId"/> (null when
/// none is usable), plus <see cref="Results"/> results for the valid requests the input carries.
/// </summary>
public sealed record HostileFrame(string Name, byte[] Bytes, int Code, string MessagePart, int? ReplyId = null, int Errors = 1, int Results = 0)
{
    public override string ToString() => Name;
}

/// <summary>The catalogue: every way a peer was found to kill a connection, per framing.</summary>
public static class HostileFrames
{
    public const int ParseError = -32700, InvalidRequest = -32600;

    /// <summary>Every engine in these tests runs with --max-frame-mb 1, so this is over the limit.</summary>
    public const int OversizedBytes = 2 << 20;

    private static readonly string Body = RawWire.Ping("lost");
    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] WithLength(string length) => [.. Ascii($"Content-Length: {length}\r\n\r\n"), .. Utf8(Body)];

    /// <summary>Broken Content-Length framing (stdio and pipe, JSON).</summary>
    public static IReadOnlyList<HostileFrame> Headers { get; } =
    [
        new("negative length", WithLength("-5"), ParseError, "Content-Length '-5' is not a non-negative integer"),
        new("non-numeric length", WithLength("abc"), ParseError, "Content-Length 'abc' is not a non-negative integer"),
        new("fractional length", WithLength("41.0"), ParseError, "Content-Length '41.0' is not a non-negative integer"),
        new("hex length", WithLength("0x29"), ParseError, "Content-Length '0x29' is not a non-negative integer"),
        new("empty length", WithLength(""), ParseError, "Content-Length is empty"),
        new("23-digit length", WithLength("12345678901234567890123"), ParseError, "Content-Length '12345678901234567890123' is too large"),
        new("header block without Content-Length", [.. Ascii("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"), .. Utf8(Body)],
            ParseError, "no Content-Length"),
        new("length 1 byte short", WithLength((Utf8(Body).Length - 1).ToString()), ParseError, "could not be parsed"),
        new("length 10 bytes short", WithLength((Utf8(Body).Length - 10).ToString()), ParseError, "could not be parsed"),
        new("Content-Length 0 followed by a body", WithLength("0"), ParseError, "Content-Length is 0"),
        new("bytes left after a frame with no newline", [.. HeaderWire.Frame(RawWire.Ping("before")), .. Ascii("trailing garbage")],
            ParseError, "not part of a frame", Results: 1),
        new("NUL bytes before the header", [0, 0, 0, 0, .. HeaderWire.Frame(RawWire.Ping("after"))], ParseError, "not part of a frame", Results: 1),
        new("NUL byte inside the header", [.. Ascii("Content-Length: 4"), 0, .. Ascii("1\r\n\r\n"), .. Utf8(Body)], ParseError, "byte 0x00"),
        new("UTF-8 BOM before the header", [0xEF, 0xBB, 0xBF, .. HeaderWire.Frame(RawWire.Ping("after"))], ParseError, "byte order mark", Results: 1),
        new("CR-only line ends in the header", [.. Ascii($"Content-Length: {Utf8(Body).Length}\r\r"), .. Utf8(Body)], ParseError, "bare CR"),
        new("header with no blank line before the body", [.. Ascii($"Content-Length: {Utf8(Body).Length}\r\n"), .. Utf8(Body)],
            ParseError, "not 'Name: value'"),
        new("oversized frame", HeaderWire.Frame("""{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":" """ + new string('a', OversizedBytes) + "\"}}"),
            ParseError, "exceeds the limit"),
    ];

    /// <summary>Well-framed messages that are not requests (every transport), as JSON text.</summary>
    public static IReadOnlyList<(string Name, string Json, int Code, string MessagePart, int? ReplyId)> NotRequests { get; } =
    [
        ("a response with a result", """{"jsonrpc":"2.0","id":7,"result":null}""", InvalidRequest, "is a response", null),
        ("a response with an error", """{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"client-side failure"}}""", InvalidRequest, "is a response", null),
        ("a request with method null", """{"jsonrpc":"2.0","id":7,"method":null}""", InvalidRequest, "\"method\"", 7),
        ("a notification with method null", """{"jsonrpc":"2.0","method":null,"params":{}}""", InvalidRequest, "\"method\"", null),
        ("neither method nor result", """{"jsonrpc":"2.0","id":9}""", InvalidRequest, "\"method\"", 9),
    ];

    public static IEnumerable<HostileFrame> NotRequestsAsJson()
        => NotRequests.Select(c => new HostileFrame(c.Name, HeaderWire.Frame(c.Json), c.Code, c.MessagePart, c.ReplyId));

    public static IEnumerable<HostileFrame> NotRequestsAsText()
        => NotRequests.Select(c => new HostileFrame(c.Name, Utf8(c.Json), c.Code, c.MessagePart, c.ReplyId));

    /// <summary>MessagePack: the same non-requests as maps, and a frame over the size limit.</summary>
    public static IEnumerable<HostileFrame> MessagePackFrames()
    {
        foreach (var c in NotRequests)
            yield return new HostileFrame(c.Name, LengthPrefixWire.Frame(MessagePackSerializer.ConvertFromJson(c.Json)), c.Code, c.MessagePart, c.ReplyId);
        var huge = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["jsonrpc"] = "2.0", ["id"] = 3, ["method"] = "ping",
            ["params"] = new Dictionary<string, object> { ["x"] = new byte[OversizedBytes] },
        });
        yield return new HostileFrame("oversized frame", LengthPrefixWire.Frame(huge), ParseError, "exceeds the limit");
        yield return new HostileFrame("empty frame", LengthPrefixWire.Frame([]), ParseError, "empty");
    }

    public static IEnumerable<HostileFrame> JsonFrames() => Headers.Concat(NotRequestsAsJson());

    public static HostileFrame Json(string name) => JsonFrames().Single(c => c.Name == name);
    public static HostileFrame MessagePack(string name) => MessagePackFrames().Single(c => c.Name == name);

    /// <summary>
    /// Sends the hostile input, then a valid ping, and checks every reply up to the ping's: the expected error(s),
    /// the results the input's own valid requests earned, nothing else; then that the ping itself was answered.
    /// </summary>
    public static async Task ExpectRefusedThenServingAsync(RawWire wire, HostileFrame frame, string pingId)
    {
        await wire.SendRawAsync(frame.Bytes);
        await wire.SendMessageAsync(RawWire.Ping(pingId));
        var before = new List<JsonElement>();
        bool pinged = false;
        // JSON-RPC does not order responses: requests are served concurrently, so under load the closing ping may be
        // answered before a request the hostile input carried. Read until the ping is answered and the input's own
        // results are in.
        while (!pinged || before.Count(r => !r.TryGetProperty("error", out _)) < frame.Results)
        {
            JsonElement reply;
            try { reply = await wire.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(20)); }
            catch (Exception e) when (e is TimeoutException or EndOfStreamException or IOException or System.Net.WebSockets.WebSocketException)
            {
                throw new Xunit.Sdk.XunitException($"{frame.Name}: {(pinged ? "the input's own requests were" : "the ping after it was")} not answered ({e.GetType().Name}: {e.Message}); replies before: [{string.Join(", ", before)}]");
            }
            if (reply.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == pingId)
            {
                Assert.True(reply.TryGetProperty("result", out var result) && result.TryGetProperty("serverTimeUtc", out _), $"{frame.Name}: ping reply {reply}");
                pinged = true;
                continue;
            }
            before.Add(reply);
        }
        var errors = before.Where(r => r.TryGetProperty("error", out _)).ToList();
        var results = before.Count - errors.Count;
        var seen = string.Join(", ", before);
        Assert.True(errors.Count == frame.Errors, $"{frame.Name}: expected {frame.Errors} error reply, got {errors.Count}: [{seen}]");
        Assert.True(results == frame.Results, $"{frame.Name}: expected {frame.Results} results, got {results}: [{seen}]");
        var error = errors[0].GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.True(error.GetProperty("code").GetInt32() == frame.Code, $"{frame.Name}: expected code {frame.Code}: {errors[0]}");
        Assert.True(message.Contains(frame.MessagePart), $"{frame.Name}: expected the message to name '{frame.MessagePart}': {message}");
        var replyId = errors[0].GetProperty("id");
        if (frame.ReplyId is int expected) Assert.True(replyId.ValueKind == JsonValueKind.Number && replyId.GetInt32() == expected, $"{frame.Name}: expected id {expected}: {errors[0]}");
        else Assert.True(replyId.ValueKind == JsonValueKind.Null, $"{frame.Name}: expected id null: {errors[0]}");
    }
}
