using System.Collections.Concurrent;

namespace SegBridge.Engine.Sessions;

/// <summary>Open sessions, shared by every connection (a viewer and a notebook can work on the same one).</summary>
public sealed class SessionStore
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private long _next;

    public int Count => _sessions.Count;

    public string NextId() => $"ses-{Interlocked.Increment(ref _next)}";

    public void Add(Session session)
    {
        _sessions[session.Id] = session;
        // Restored sessions keep their ids; new ids continue after them.
        if (session.Id.StartsWith("ses-", StringComparison.Ordinal) && long.TryParse(session.Id[4..], out var n))
            for (long seen = Interlocked.Read(ref _next); n > seen; seen = Interlocked.Read(ref _next))
                Interlocked.CompareExchange(ref _next, n, seen);
    }

    public bool TryGet(string id, out Session session) => _sessions.TryGetValue(id, out session!);

    public bool Remove(string id, out Session session) => _sessions.TryRemove(id, out session!);

    public IReadOnlyList<Session> All => _sessions.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
}
