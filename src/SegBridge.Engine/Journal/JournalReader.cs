namespace SegBridge.Engine.Journal;

/// <summary>One whole, intact record of a journal and where its line (newline included) lies in the file.</summary>
public sealed record JournalEntry(JournalRecord Record, long Offset, int Length);

/// <summary>Bytes of a journal that are not a record: kept for a human, skipped by replay.</summary>
public sealed record DamagedSpan(long Offset, int Length, string Reason);

/// <summary>What a journal file holds: its good records in order, its damaged spans, and the bytes themselves.</summary>
public sealed record JournalReading(IReadOnlyList<JournalEntry> Entries, IReadOnlyList<DamagedSpan> Damaged, byte[] Bytes)
{
    public IEnumerable<JournalRecord> Records => Entries.Select(e => e.Record);
    public bool IsClean => Damaged.Count == 0;
}

/// <summary>
/// Reads a journal without giving up at the first bad line: a damaged record (garbage, a failed checksum, a record
/// cut short that ran into the next one, a torn last record) becomes a <see cref="DamagedSpan"/> and reading goes
/// on, so every good record before and after it stands.
/// </summary>
public static class JournalReader
{
    public static JournalReading Read(string path) => Parse(File.ReadAllBytes(path));

    public static JournalReading Parse(byte[] bytes)
    {
        var entries = new List<JournalEntry>();
        var damaged = new List<DamagedSpan>();
        int start = 0;
        while (start < bytes.Length)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            // A last line without its newline was never acknowledged: the record and its newline are one write.
            bool torn = newline < 0;
            int end = torn ? bytes.Length : newline, next = torn ? bytes.Length : newline + 1;
            var line = bytes.AsSpan(start, end - start);
            JournalRecord? record = null;
            string? why = $"a torn last record ({end - start} bytes without a newline)";
            if (!torn) record = JournalLine.TryDecode(line, out why);
            if (record is not null) entries.Add(new JournalEntry(record, start, next - start));
            else if (!torn && FindGluedRecord(line) is var (at, glued))
            {
                // The damaged record lost its end (and newline), and the next record was written straight after it.
                damaged.Add(new DamagedSpan(start, at, $"a record cut short ({why})"));
                entries.Add(new JournalEntry(glued, start + at, next - start - at));
            }
            else damaged.Add(new DamagedSpan(start, next - start, why!));
            start = next;
        }
        return new JournalReading(entries, damaged, bytes);
    }

    /// <summary>A whole record that starts inside a damaged line and runs to its end, if there is one.</summary>
    private static (int At, JournalRecord Record)? FindGluedRecord(ReadOnlySpan<byte> line)
    {
        for (int from = 1; from < line.Length; from++)
        {
            int found = line[from..].IndexOf(JournalLine.RecordStart);
            if (found < 0) return null;
            from += found;
            if (JournalLine.TryDecode(line[from..], out _) is { } record) return (from, record);
        }
        return null;
    }
}
