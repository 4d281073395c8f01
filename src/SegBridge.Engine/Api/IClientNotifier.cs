namespace SegBridge.Engine.Api;

/// <summary>
/// Sends a notification to the client of one connection (the host binds it to its JSON-RPC connection). Called on
/// the computing thread and returns once the message is written, so every notification of a request reaches the
/// client before that request's response. A client that has gone away is not an error: the message is dropped.
/// </summary>
public interface IClientNotifier
{
    void Notify(string method, object parameters);
}
