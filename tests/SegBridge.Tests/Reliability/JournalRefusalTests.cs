using SegBridge.Engine.Journal;
using SegBridge.Imaging.Interactions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// Acknowledged means durable, refused means absent: a journal whose device runs out of room refuses the record,
/// leaves no byte of it behind (none to be flushed later either), and takes records again once there is room.
/// </summary>
public sealed class JournalRefusalTests
{
    /// <summary>
    /// A device with a fixed amount of room: a write that does not fit writes what fits and then fails as Linux
    /// does (ENOSPC, the path in the message), so a failed write leaves part of the record behind.
    /// </summary>
    private sealed class FillingStream(long room) : MemoryStream
    {
        public long Room { get; set; } = room;
        /// <summary>How many SetLength calls fail before they work again (a device that fails even to truncate).</summary>
        public int FailingTruncations { get; set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            var fits = (int)Math.Clamp(Room - Position, 0, count);
            base.Write(buffer, offset, fits);
            if (fits < count) throw new IOException("No space left on device : '/home/secret/.local/state/segbridge/sessions/ses-1.jsonl'", 28);
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void SetLength(long value)
        {
            if (FailingTruncations > 0) { FailingTruncations--; throw new IOException("Input/output error", 5); }
            base.SetLength(value);
        }
    }

    private static JournalRecord Click(int i) => new() { Op = "interact", Interaction = JournalInteractions.ToRecord(new Click(i, i, true, 3)) };

    private static List<double> Xs(FillingStream stream)
    {
        var reading = JournalReader.Parse(stream.ToArray());
        Assert.True(reading.IsClean, string.Join("; ", reading.Damaged.Select(d => d.Reason)));
        return reading.Records.Where(r => r.Op == "interact").Select(r => r.Interaction!.X).ToList();
    }

    [Fact]
    public void A_write_that_does_not_fit_is_refused_leaves_nothing_and_writing_recovers_when_room_returns()
    {
        var stream = new FillingStream(long.MaxValue);
        var journal = new SessionJournal(stream, "ses-1.jsonl", 0);
        journal.Append(new JournalRecord { Op = "create", SessionId = "ses-1", ModelId = "m", ImagePath = "/x.png" });
        for (int i = 1; i <= 3; i++) journal.Append(Click(i));
        var acknowledged = stream.ToArray();

        stream.Room = stream.Length + 40; // part of the next record fits, the rest does not
        for (int i = 100; i < 130; i++)
        {
            var refused = Assert.Throws<JournalUnavailableException>(() => journal.Append(Click(i)));
            Assert.Contains("no space left", refused.Message);
            Assert.DoesNotContain("/home/secret", refused.Message);
            Assert.Equal(acknowledged, stream.ToArray()); // cut back: no part of a refused record stays
        }
        Assert.Throws<JournalUnavailableException>(() => journal.Append(new JournalRecord { Op = "undo" }));

        stream.Room = long.MaxValue;
        journal.Append(Click(4));
        journal.Append(Click(5));
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], Xs(stream));
    }

    [Fact]
    public void When_even_cutting_back_fails_the_next_write_cuts_first()
    {
        var stream = new FillingStream(long.MaxValue);
        var journal = new SessionJournal(stream, "ses-1.jsonl", 0);
        journal.Append(new JournalRecord { Op = "create", SessionId = "ses-1", ModelId = "m", ImagePath = "/x.png" });
        journal.Append(Click(1));
        var good = stream.Length;

        stream.Room = good + 25;
        stream.FailingTruncations = 1;
        Assert.Throws<JournalUnavailableException>(() => journal.Append(Click(2)));
        Assert.Equal(good + 25, stream.Length); // the torn bytes are still there…

        stream.Room = long.MaxValue;
        journal.Append(Click(3));             // …and are cut before the next record is written
        Assert.Equal([1.0, 3.0], Xs(stream));
    }

    [Fact]
    public void A_refused_first_record_leaves_no_journal_file()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-journal").FullName;
        var path = Path.Combine(dir, "ses-1.jsonl");
        // A name the file system refuses to create stands for a state folder that cannot be written.
        var missing = Path.Combine(dir, "gone", "ses-1.jsonl");
        var refused = Assert.Throws<JournalUnavailableException>(() => SessionJournal.Create(missing, new JournalRecord { Op = "create", SessionId = "ses-1" }));
        Assert.DoesNotContain(dir, refused.Message);
        Assert.False(File.Exists(missing));
        using (SessionJournal.Create(path, new JournalRecord { Op = "create", SessionId = "ses-1" })) { }
        Assert.True(File.Exists(path));
        Directory.Delete(dir, recursive: true);
    }
}
