using System.Text;
using SegBridge.Engine.Journal;
using SegBridge.Imaging.Interactions;

namespace SegBridge.Tests.Reliability;

public sealed class JournalTests
{
    private static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("segbridge-journal").FullName, "ses-1.jsonl");

    private static JournalRecord Create() => new() { Op = "create", SessionId = "ses-1", ModelId = "m", ImagePath = "/x.png" };

    private static JournalRecord ClickRecord(int i) => new() { Op = "interact", Interaction = JournalInteractions.ToRecord(new Click(10 + i, 20 + i, i % 2 == 0, 3)) };

    /// <summary>A journal of a create record and clicks 1..count; returns its path.</summary>
    private static string JournalOfClicks(int count)
    {
        var path = TempFile();
        using var journal = SessionJournal.Create(path, Create());
        for (int i = 1; i <= count; i++) journal.Append(ClickRecord(i));
        return path;
    }

    private static List<double> ClickXs(JournalReading reading) => reading.Records.Where(r => r.Op == "interact").Select(r => r.Interaction!.X).ToList();

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
        using (var journal = SessionJournal.Create(path, Create()))
        {
            foreach (var i in interactions) journal.Append(new JournalRecord { Op = "interact", Interaction = JournalInteractions.ToRecord(i) });
            journal.Append(new JournalRecord { Op = "undo" });
        }
        var reading = JournalReader.Read(path);
        Assert.True(reading.IsClean);
        Assert.Equal(new FileInfo(path).Length, reading.Entries.Sum(e => e.Length));
        var records = reading.Records.ToList();
        Assert.Equal(["create", "interact", "interact", "interact", "interact", "interact", "undo"], records.Select(r => r.Op));
        var back = records.Skip(1).Take(5).Select(r => JournalInteractions.FromRecord(r.Interaction!)).ToList();
        Assert.Equal(interactions[0], back[0]);
        Assert.Equal(((Scribble)interactions[1]).Points, ((Scribble)back[1]).Points);
        Assert.Equal(interactions[2], back[2]);
        Assert.Equal(((LabelImage)interactions[3]).Labels, ((LabelImage)back[3]).Labels);
        Assert.Equal(((ExtremePoints)interactions[4]).Points, ((ExtremePoints)back[4]).Points);
    }

    [Fact]
    public void Journals_written_before_records_carried_a_checksum_are_still_read()
    {
        var path = TempFile();
        File.WriteAllText(path,
            "{\"op\":\"create\",\"sessionId\":\"ses-1\",\"modelId\":\"random-walker\",\"imagePath\":\"/x.png\",\"downsample\":1}\n" +
            "{\"op\":\"interact\",\"interaction\":{\"type\":\"click\",\"x\":5,\"y\":6,\"x1\":0,\"y1\":0,\"positive\":true,\"size\":0,\"width\":0,\"height\":0}}\n" +
            "{\"op\":\"undo\"}\n");
        var reading = JournalReader.Read(path);
        Assert.True(reading.IsClean);
        Assert.Equal(["create", "interact", "undo"], reading.Records.Select(r => r.Op));
        Assert.Equal(5, reading.Records.ElementAt(1).Interaction!.X);
    }

    [Fact]
    public void A_record_whose_bytes_changed_fails_its_checksum()
    {
        var path = JournalOfClicks(3);
        var text = File.ReadAllText(path);
        // Click 2 is at x = 12: make it 17, still valid JSON, but not what was acknowledged.
        Assert.Contains("\"x\":12,", text);
        File.WriteAllText(path, text.Replace("\"x\":12,", "\"x\":17,"));

        var reading = JournalReader.Read(path);
        var damage = Assert.Single(reading.Damaged);
        Assert.Contains("checksum", damage.Reason);
        Assert.Equal([11.0, 13.0], ClickXs(reading));
    }

    [Theory]
    [InlineData("{\"op\":\"interact\",\"interaction\":{\"type\":\"cli")]       // cut mid-record, no newline
    [InlineData("{\"op\":\"und")]
    [InlineData("\u0000\u0000\u0000\n")]                                        // zero-filled block after a power cut
    public void A_torn_last_record_is_quarantined_and_new_records_follow_the_last_good_one(string tail)
    {
        var path = JournalOfClicks(1);
        var whole = new FileInfo(path).Length;
        File.AppendAllText(path, tail);

        var reading = JournalReader.Read(path);
        Assert.Equal(2, reading.Entries.Count);
        var damage = Assert.Single(reading.Damaged);
        Assert.Equal(whole, damage.Offset);

        JournalRepair.Quarantine(path, reading.Bytes, reading.Entries, reading.Damaged);
        Assert.Equal(whole, new FileInfo(path).Length);
        Assert.Contains(tail.TrimEnd('\n'), File.ReadAllText(JournalRepair.QuarantinePath(path)));
        using (var journal = SessionJournal.Reopen(path))
            journal.Append(new JournalRecord { Op = "undo" });
        var again = JournalReader.Read(path);
        Assert.True(again.IsClean);
        Assert.Equal(["create", "interact", "undo"], again.Records.Select(r => r.Op));
    }

    public static TheoryData<string> MiddleDamage => new() { "half-cut", "garbage", "zeros", "flipped" };

    /// <summary>Damages click 4 of 7 the way a disk or a crash might.</summary>
    private static byte[] Damage(byte[] bytes, string kind, out byte[] damagedBytes)
    {
        var lines = Encoding.UTF8.GetString(bytes).Split('\n')[..^1].Select(l => l + "\n").ToList();
        var fourth = lines[4]; // 0 is create
        var replacement = kind switch
        {
            // The record lost its second half and its newline: the next record runs straight on from it.
            "half-cut" => fourth[..(fourth.Length / 2)],
            "garbage" => "\u00ff\u00fe not a record at all \u0001\u0002\n",
            "zeros" => new string('\0', fourth.Length - 1) + "\n",
            "flipped" => fourth.Replace("\"x\":14,", "\"x\":94,"),
            _ => throw new ArgumentException(kind),
        };
        damagedBytes = Encoding.UTF8.GetBytes(replacement);
        lines[4] = replacement;
        return Encoding.UTF8.GetBytes(string.Concat(lines));
    }

    [Theory]
    [MemberData(nameof(MiddleDamage))]
    public void A_damaged_record_in_the_middle_loses_no_good_record_before_or_after_it(string kind)
    {
        var path = JournalOfClicks(7);
        File.WriteAllBytes(path, Damage(File.ReadAllBytes(path), kind, out var damagedBytes));

        var reading = JournalReader.Read(path);
        var damage = Assert.Single(reading.Damaged);
        Assert.Equal(damagedBytes, reading.Bytes.AsSpan((int)damage.Offset, damage.Length).ToArray());
        Assert.Equal([11.0, 12.0, 13.0, 15.0, 16.0, 17.0], ClickXs(reading));

        JournalRepair.Quarantine(path, reading.Bytes, reading.Entries, reading.Damaged);
        var repaired = JournalReader.Read(path);
        Assert.True(repaired.IsClean);
        Assert.Equal([11.0, 12.0, 13.0, 15.0, 16.0, 17.0], ClickXs(repaired));
        var quarantined = File.ReadAllBytes(JournalRepair.QuarantinePath(path));
        Assert.True(quarantined.AsSpan().IndexOf(damagedBytes) >= 0, "the damaged bytes are kept beside the journal");
    }
}
