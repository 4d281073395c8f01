using System.Text;
using System.Text.Json;
using SegBridge.Protocol;

namespace SegBridge.Engine.Journal;

/// <summary>
/// The append-only journal of one session: one JSON record per line, each flushed to disk before the
/// engine acknowledges the request, so a kill -9 loses nothing a client was told had happened.
/// </summary>
public sealed class SessionJournal : IDisposable
{
    private readonly FileStream _file;
    private readonly object _lock = new();

    public string Path { get; }

    private SessionJournal(string path, FileStream file) { Path = path; _file = file; }

    /// <summary>Starts a new journal (fails if one exists for this session already).</summary>
    public static SessionJournal Create(string path, JournalRecord create)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
        var journal = new SessionJournal(path, file);
        journal.Append(create);
        return journal;
    }

    /// <summary>Continues an existing journal after a restart, cutting off a torn last record first.</summary>
    public static SessionJournal Reopen(string path, long validLength)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        file.SetLength(validLength);
        file.Seek(0, SeekOrigin.End);
        return new SessionJournal(path, file);
    }

    public void Append(JournalRecord record)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(record, ProtocolJson.Options);
        lock (_lock)
        {
            _file.Write(line);
            _file.WriteByte((byte)'\n');
            _file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Closes and removes the journal: a closed session is not restored.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }

    /// <summary>
    /// Reads a journal's whole records. A last line without its newline, or one that does not parse,
    /// is a record torn by a crash: it is dropped and reported in <c>Damage</c>; everything before it stands.
    /// </summary>
    public static (List<JournalRecord> Records, long ValidLength, string? Damage) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<JournalRecord>();
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
                return (records, start, $"torn last record ({bytes.Length - start} bytes without a newline) dropped");
            try
            {
                var record = JsonSerializer.Deserialize<JournalRecord>(bytes.AsSpan(start, end - start), ProtocolJson.Options)
                             ?? throw new JsonException("null record");
                records.Add(record);
            }
            catch (JsonException e)
            {
                var rest = end + 1 < bytes.Length ? $" and {bytes.Length - end - 1} bytes after it" : "";
                return (records, start, $"unreadable record at byte {start} ({e.Message}){rest} dropped: '{Encoding.UTF8.GetString(bytes, start, Math.Min(60, end - start))}…'");
            }
            start = end + 1;
        }
        return (records, bytes.Length, null);
    }
}
