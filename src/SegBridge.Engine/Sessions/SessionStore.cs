using System.Collections.Concurrent;

namespace SegBridge.Engine.Sessions;

/// <summary>Open sessions, shared by every connection (a viewer and a notebook can work on the same one).</summary>
public sealed class SessionStore
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private long _next;

    public int Count => _sessions.Count;

    public string NextId() => $"ses-{Interlocked.Increment(ref _next)}";

    public void Add(Session session) => _sessions[session.Id] = session;

    public bool TryGet(string id, out Session session) => _sessions.TryGetValue(id, out session!);

    public bool Remove(string id) => _sessions.TryRemove(id, out _);

    public IReadOnlyList<Session> All => _sessions.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
}
