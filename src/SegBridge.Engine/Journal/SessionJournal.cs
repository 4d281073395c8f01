using NLog;

namespace SegBridge.Engine.Journal;

/// <summary>
/// The append-only journal of one session: one record per line (<see cref="JournalLine"/>). A change is
/// acknowledged only after its record is written and flushed to disk; when that fails, the bytes past the last
/// good record are cut off again and the change is refused (<see cref="JournalUnavailableException"/>), so a
/// refused change can never reappear later, and the next write starts clean once the disk has room again.
/// Writes are unbuffered: nothing waits in memory for a later flush.
/// </summary>
public sealed class SessionJournal : IDisposable
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly Stream _stream;
    private readonly object _lock = new();
    /// <summary>End of the last record that was written and flushed; everything past it is not acknowledged.</summary>
    private long _length;
    /// <summary>A failed write left bytes past <see cref="_length"/> that could not be cut off yet.</summary>
    private bool _needsCut;

    public string Path { get; }

    /// <summary>A journal over any seekable stream that holds <paramref name="length"/> bytes of good records.</summary>
    public SessionJournal(Stream stream, string path, long length)
    {
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("a journal needs a writable, seekable stream", nameof(stream));
        _stream = stream; Path = path; _length = length;
    }

    /// <summary>Starts a new journal with its create record; when that cannot be written, no journal is left behind.</summary>
    public static SessionJournal Create(string path, JournalRecord create)
    {
        FileStream file;
        try { file = Open(path, FileMode.CreateNew); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !File.Exists(path))
        {
            throw JournalUnavailableException.Refused(Describe(create), e);
        }
        var journal = new SessionJournal(file, path, 0);
        try { journal.Append(create); }
        catch (JournalUnavailableException)
        {
            journal.Dispose();
            try { File.Delete(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Log.Error("could not remove the refused journal {0}: {1}", path, e.Message); }
            throw;
        }
        return journal;
    }

    /// <summary>Continues a journal whose every byte is a good record (see <see cref="JournalRepair"/>).</summary>
    public static SessionJournal Reopen(string path)
    {
        var file = Open(path, FileMode.Open);
        return new SessionJournal(file, path, file.Length);
    }

    private static FileStream Open(string path, FileMode mode)
        => new(path, mode, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);

    /// <summary>Writes and flushes one record, or refuses it and leaves the journal as it was.</summary>
    public void Append(JournalRecord record)
    {
        var line = JournalLine.Encode(record);
        lock (_lock)
        {
            try
            {
                if (_needsCut) CutBack();
                _stream.Position = _length;
                _stream.Write(line);
                FlushToDisk();
                _length += line.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _needsCut = true;
                try { CutBack(); }
                catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
                {
                    // Tried again before the next write; a crash before then leaves a damaged tail that restore quarantines.
                    Log.Error("journal {0}: could not cut a failed write back to {1} bytes: {2}", Path, _length, cut.Message);
                }
                Log.Warn("journal {0}: {1} refused: {2}", Path, record.Op, e.Message);
                throw JournalUnavailableException.Refused(Describe(record), e);
            }
        }
    }

    /// <summary>Removes whatever a failed write left past the last good record, durably, so it cannot come back.</summary>
    private void CutBack()
    {
        _stream.SetLength(_length);
        _stream.Position = _length;
        FlushToDisk();
        _needsCut = false;
    }

    private void FlushToDisk()
    {
        if (_stream is FileStream file) file.Flush(flushToDisk: true);
        else _stream.Flush();
    }

    private static string Describe(JournalRecord record) => record.Op switch
    {
        "create" => "the new session",
        "interact" => "this interaction",
        _ => $"this {record.Op}",
    };

    /// <summary>Closes and removes the journal: a closed session is not restored.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        lock (_lock) _stream.Dispose();
    }
}
