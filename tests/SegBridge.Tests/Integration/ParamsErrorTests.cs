using SegBridge.Tests.Support;
using StreamJsonRpc;

namespace SegBridge.Tests.Integration;

/// <summary>
/// Params of the wrong JSON type get -32602 naming the field as the client wrote it and what it must
/// be in the protocol's terms, never a .NET type name or namespace.
/// </summary>
public sealed class ParamsErrorTests
{
    public static TheoryData<string, object, string> WrongTypes() => new()
    {
        { "sessions/interact", new { sessionId = "ses-1", click = new { x = "a", y = 1 } }, "click.x must be a number" },
        { "sessions/interact", new { sessionId = "ses-1", click = 5 }, "click must be an object with fields x, y, positive, radius" },
        { "sessions/interact", new { sessionId = "ses-1", scribble = new { points = new[] { new object[] { "a" } } } }, "scribble.points[0][0] must be a number" },
        { "sessions/interact", new { sessionId = 3 }, "sessionId must be a string" },
        { "images/open", new { raw = new[] { 1, 2 } }, "raw must be an object with fields width, height, channels, dtype, data" },
        { "images/open", new { raw = new { width = 1.5 } }, "raw.width must be a whole number" },
        { "images/open", new { encoded = 5 }, "encoded must be base64-encoded bytes" },
        { "sessions/create", new { imageId = "img-1", modelId = "watershed", region = new { x = true } }, "region.x must be a whole number" },
    };

    [Fact]
    public async Task Json_params_of_the_wrong_type_name_the_field_and_what_it_must_be()
    {
        var (engine, rpc) = EngineProcess.StartStdio("--no-journal");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            foreach (var (method, parameters, expected) in WrongTypes().Select(r => ((string)r[0], r[1], (string)r[2])))
            {
                var error = await rpc.ErrorAsync(method, parameters);
                Assert.Equal(-32602, error.ErrorCode);
                Assert.StartsWith(expected, error.Message);
                Assert.DoesNotContain("System.", error.Message);
                Assert.DoesNotContain("SegBridge.", error.Message);
            }
        }
    }

    [Fact]
    public async Task Requests_no_method_can_take_are_refused_in_the_protocols_terms_not_with_dotnet_signatures()
    {
        var (engine, rpc) = EngineProcess.StartStdio("--no-journal");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            // Params given as an array, or fields for a method that takes none: StreamJsonRpc finds no overload for them.
            foreach (var (method, parameters, expected) in new (string, object, string)[]
            {
                ("sessions/interact", new[] { 1, 2 }, "params of sessions/interact must be an object with fields sessionId, click"),
                ("models/list", new { x = 1 }, "params of models/list must be an empty object, or no params"),
                ("models/list", new[] { 1 }, "params of models/list must be an empty object, or no params"),
            })
            {
                var error = await rpc.ErrorAsync(method, parameters);
                Assert.Equal(-32602, error.ErrorCode);
                Assert.StartsWith(expected, error.Message);
                Assert.DoesNotContain("System.", error.Message);
                Assert.DoesNotContain("SegBridge.", error.Message);
            }
            var unknown = await rpc.ErrorAsync("sessions/levitate", new { });
            Assert.Equal(-32601, unknown.ErrorCode);
            Assert.DoesNotContain("SegBridge.", unknown.Message);
        }
    }

    [Fact]
    public async Task MessagePack_params_of_the_wrong_type_are_refused_in_the_protocols_terms()
    {
        await using var engine = EngineProcess.Start("serve", "--stdio", "--msgpack", "--no-journal");
        await using var wire = new LengthPrefixWire(engine.Process.StandardInput.BaseStream, engine.Process.StandardOutput.BaseStream);
        await wire.SendMessageAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1.2","clientName":"params-test"}}""");
        Assert.True((await wire.ReceiveAsync()).TryGetProperty("result", out _));
        await wire.SendMessageAsync("""{"jsonrpc":"2.0","id":2,"method":"sessions/interact","params":{"sessionId":"ses-1","click":{"x":"a","y":1}}}""");
        var error = (await wire.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("params of sessions/interact must be an object with fields sessionId", message);
        Assert.DoesNotContain("SegBridge.", message);
        Assert.DoesNotContain("System.", message);
    }
}
