using System.Reflection;
using System.Text.Json;
using SegBridge.Engine;
using SegBridge.Engine.Api;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc;

namespace SegBridge.Host.Rpc;

/// <summary>Binds one client connection (a pair of streams) to a fresh <see cref="EngineApi"/> over the shared engine.</summary>
internal static class RpcConnection
{
    public static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, Stream send, Stream receive, WireEncoding encoding, long maxFrameBytes, Action? onShutdown)
    {
        IJsonRpcMessageHandler handler = encoding switch
        {
            WireEncoding.MessagePack => new TolerantLengthHeaderHandler(send, receive, new MessagePackFormatter(), maxFrameBytes),
            _ => new TolerantHeaderDelimitedHandler(send, receive,
                new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) }, maxFrameBytes),
        };
        return Attach(engine, handler, onShutdown);
    }

    /// <summary>A WebSocket: one JSON message per WebSocket message, bad messages answered with an error.</summary>
    public static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, System.Net.WebSockets.WebSocket socket, long maxMessageBytes, Action? onShutdown)
        => Attach(engine, new TolerantWebSocketHandler(socket,
            new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) }, maxMessageBytes), onShutdown);

    private static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, IJsonRpcMessageHandler handler, Action? onShutdown)
    {
        var rpc = new SegBridgeJsonRpc(handler) { CancelLocallyInvokedMethodsWhenConnectionIsClosed = true };
        var api = new EngineApi(engine, onShutdown, new RpcNotifier(rpc));
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
