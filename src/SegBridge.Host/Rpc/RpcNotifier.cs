using NLog;
using SegBridge.Engine.Api;
using StreamJsonRpc;

namespace SegBridge.Host.Rpc;

/// <summary>
/// Notifications to one JSON-RPC client. Waits for each write, so notifications keep their order and all precede
/// the response of the request that caused them; a closed connection drops them (the request is being cancelled).
/// </summary>
internal sealed class RpcNotifier(JsonRpc rpc) : IClientNotifier
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public void Notify(string method, object parameters)
    {
        try { rpc.NotifyWithParameterObjectAsync(method, parameters).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException)
        {
            Log.Debug("{0} not sent: the client's connection is closed ({1})", method, e.Message);
        }
    }
}
