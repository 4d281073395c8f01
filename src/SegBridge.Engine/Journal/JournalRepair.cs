using System.Text;
using NLog;

namespace SegBridge.Engine.Journal;

/// <summary>
/// Quarantines the damaged parts of a journal: their bytes are appended to <c>ID.jsonl.damaged</c> next to it (each
/// after a line saying where it was and why it was set aside), then the journal is rewritten with exactly its good
/// records (temporary file, fsync, rename), so new records follow the last good one and no good record is lost.
/// </summary>
public static class JournalRepair
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static string QuarantinePath(string journalPath) => journalPath + ".damaged";

    public static void Quarantine(string path, byte[] bytes, IReadOnlyList<JournalEntry> kept, IReadOnlyList<DamagedSpan> damaged)
    {
        if (damaged.Count == 0) return;
        var quarantine = QuarantinePath(path);
        using (var aside = new FileStream(quarantine, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0))
        {
            var buffer = new MemoryStream();
            foreach (var span in damaged)
            {
                buffer.Write(Encoding.UTF8.GetBytes($"# {DateTime.UtcNow:O} from byte {span.Offset} of {System.IO.Path.GetFileName(path)}, {span.Length} bytes: {span.Reason}\n"));
                buffer.Write(bytes, (int)span.Offset, span.Length);
                if (span.Length == 0 || bytes[span.Offset + span.Length - 1] != '\n') buffer.WriteByte((byte)'\n');
            }
            aside.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            aside.Flush(flushToDisk: true);
        }
        DurableFile.Replace(path, clean =>
        {
            foreach (var entry in kept) clean.Write(bytes, (int)entry.Offset, entry.Length);
        });
        foreach (var span in damaged)
            Log.Warn("journal {0}: {1} bytes at byte {2} quarantined to {3}: {4}", path, span.Length, span.Offset, quarantine, span.Reason);
        Log.Warn("journal {0}: kept its {1} good records", path, kept.Count);
    }
}
