using System.Reflection;
using StreamJsonRpc;

namespace SegBridge.Tests.Support;

/// <summary>Collects one kind of notification the engine sends, in arrival order.</summary>
public sealed class NotificationLog<T>
{
    private readonly List<T> _received = [];

    public IReadOnlyList<T> Received { get { lock (_received) return _received.ToList(); } }

    /// <summary>Registers the notification on a client that has not started listening yet.</summary>
    public NotificationLog<T> Attach(JsonRpc rpc, string method)
    {
        var handler = typeof(NotificationLog<T>).GetMethod(nameof(OnNotification), BindingFlags.NonPublic | BindingFlags.Instance)!;
        rpc.AddLocalRpcMethod(handler, this, new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });
        return this;
    }

    private void OnNotification(T parameters)
    {
        lock (_received) _received.Add(parameters);
    }

    /// <summary>The notifications once <paramref name="count"/> have arrived (the client may still be dispatching the last ones).</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        return Received;
    }
}
