using System.Reflection;
using System.Text.Json;
using SegBridge.Engine;
using SegBridge.Engine.Api;
using SegBridge.Host.Transports.Framing;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc;

namespace SegBridge.Host.Rpc;

/// <summary>Binds one client connection (a pair of streams) to a fresh <see cref="EngineApi"/> over the shared engine.</summary>
internal static class RpcConnection
{
    public static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, Stream send, Stream receive, WireEncoding encoding, long maxFrameBytes, Action? onShutdown, CancellationToken stopping)
    {
        IJsonRpcMessageHandler handler = encoding switch
        {
            WireEncoding.MessagePack => new LengthPrefixFrameHandler(send, receive, new MessagePackFormatter(), maxFrameBytes),
            _ => new HeaderDelimitedFrameHandler(send, receive,
                new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) }, maxFrameBytes),
        };
        return Attach(engine, handler, onShutdown, stopping, remoteClient: false);
    }

    /// <summary>A WebSocket: one JSON message per WebSocket message, bad messages answered with an error.</summary>
    /// <param name="send">Where the replies go, one message per write (see <see cref="WebSocketFrameHandler"/>).</param>
    public static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, System.Net.WebSockets.WebSocket socket, Stream send, long maxMessageBytes,
        Action? onShutdown, CancellationToken stopping)
        => Attach(engine, new WebSocketFrameHandler(socket, send,
            new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) }, maxMessageBytes), onShutdown, stopping, remoteClient: true);

    /// <param name="remoteClient">A WebSocket client: its errors do not list the engine's folders (a local stdio or pipe client's do).</param>
    private static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, IJsonRpcMessageHandler handler, Action? onShutdown, CancellationToken stopping, bool remoteClient)
    {
        var rpc = new SegBridgeJsonRpc(handler, stopping) { CancelLocallyInvokedMethodsWhenConnectionIsClosed = true };
        var api = new EngineApi(engine, onShutdown, new RpcNotifier(rpc), remoteClient);
        foreach (var method in typeof(ISegBridgeApi).GetMethods())
        {
            var name = method.GetCustomAttribute<ProtocolMethodAttribute>()!.Name;
            // Single-object binding reads the whole params object into the method's one parameter. MessagePack
            // sends an empty object as zero named arguments, which that binding rejects, so the parameterless
            // methods bind by name instead (their parameter is optional).
            var singleObject = method.GetParameters()[0].ParameterType != typeof(EmptyParams);
            rpc.AddLocalRpcMethod(method, api, new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = singleObject });
        }
        rpc.StartListening();
        return (rpc, api);
    }
}
