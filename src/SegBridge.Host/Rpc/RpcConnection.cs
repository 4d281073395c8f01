using System.Reflection;
using System.Text.Json;
using SegBridge.Engine;
using SegBridge.Engine.Api;
using SegBridge.Protocol;
using StreamJsonRpc;

namespace SegBridge.Host.Rpc;

/// <summary>Binds one client connection (a pair of streams) to a fresh <see cref="EngineApi"/> over the shared engine.</summary>
internal static class RpcConnection
{
    public static (SegBridgeJsonRpc Rpc, EngineApi Api) Attach(SegBridgeEngine engine, Stream send, Stream receive, WireEncoding encoding, Action? onShutdown)
    {
        IJsonRpcMessageHandler handler = encoding switch
        {
            WireEncoding.MessagePack => new LengthHeaderMessageHandler(send, receive, new MessagePackFormatter()),
            _ => new HeaderDelimitedMessageHandler(send, receive,
                new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) }),
        };
        var rpc = new SegBridgeJsonRpc(handler) { CancelLocallyInvokedMethodsWhenConnectionIsClosed = true };
        var api = new EngineApi(engine, onShutdown);
        foreach (var method in typeof(ISegBridgeApi).GetMethods())
        {
            var name = method.GetCustomAttribute<ProtocolMethodAttribute>()!.Name;
            rpc.AddLocalRpcMethod(method, api, new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = true });
        }
        rpc.StartListening();
        return (rpc, api);
    }
}
