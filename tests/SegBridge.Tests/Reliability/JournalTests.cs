using SegBridge.Engine.Journal;
using SegBridge.Imaging.Interactions;

namespace SegBridge.Tests.Reliability;

public sealed class JournalTests
{
    private static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("segbridge-journal").FullName, "ses-1.jsonl");

    [Fact]
    public void Records_round_trip_every_interaction_kind()
    {
        var path = TempFile();
        var interactions = new Interaction[]
        {
            new Click(3.5, 4.25, false, 2),
            new Scribble([new PointD(1, 2), new PointD(3.5, 4)], true, 5),
            new Box(1, 2, 30, 40),
            new LabelImage([0, 1, 2, 0], 2, 2),
            new ExtremePoints([new PointD(1, 5), new PointD(9.5, 4), new PointD(4, 0.5), new PointD(5, 9)]),
        };
        using (var journal = SessionJournal.Create(path, new JournalRecord { Op = "create", SessionId = "ses-1", ModelId = "m", ImagePath = "/x.png" }))
        {
            foreach (var i in interactions) journal.Append(new JournalRecord { Op = "interact", Interaction = JournalInteractions.ToRecord(i) });
            journal.Append(new JournalRecord { Op = "undo" });
        }
        var (records, length, damage) = SessionJournal.Read(path);
        Assert.Null(damage);
        Assert.Equal(new FileInfo(path).Length, length);
        Assert.Equal(["create", "interact", "interact", "interact", "interact", "interact", "undo"], records.Select(r => r.Op));
        var back = records.Skip(1).Take(5).Select(r => JournalInteractions.FromRecord(r.Interaction!)).ToList();
        Assert.Equal(interactions[0], back[0]);
        Assert.Equal(((Scribble)interactions[1]).Points, ((Scribble)back[1]).Points);
        Assert.Equal(interactions[2], back[2]);
        Assert.Equal(((LabelImage)interactions[3]).Labels, ((LabelImage)back[3]).Labels);
        Assert.Equal(((ExtremePoints)interactions[4]).Points, ((ExtremePoints)back[4]).Points);
    }

    [Theory]
    [InlineData("{\"op\":\"interact\",\"interaction\":{\"type\":\"cli")]       // cut mid-record, no newline
    [InlineData("{\"op\":\"und")]
    [InlineData("\u0000\u0000\u0000\n")]                                        // zero-filled block after a power cut
    public void A_torn_last_record_is_dropped_and_reported_and_the_rest_stands(string tail)
    {
        var path = TempFile();
        using (var journal = SessionJournal.Create(path, new JournalRecord { Op = "create", SessionId = "ses-1", ModelId = "m", ImagePath = "/x.png" }))
            journal.Append(new JournalRecord { Op = "interact", Interaction = JournalInteractions.ToRecord(new Click(1, 2, true, 3)) });
        var whole = new FileInfo(path).Length;
        File.AppendAllText(path, tail);

        var (records, length, damage) = SessionJournal.Read(path);
        Assert.Equal(2, records.Count);
        Assert.Equal(whole, length);
        Assert.NotNull(damage);

        // Reopening cuts the damage off so new records follow the last whole one.
        using (var journal = SessionJournal.Reopen(path, length))
            journal.Append(new JournalRecord { Op = "undo" });
        var (again, _, damage2) = SessionJournal.Read(path);
        Assert.Null(damage2);
        Assert.Equal(["create", "interact", "undo"], again.Select(r => r.Op));
    }
}
