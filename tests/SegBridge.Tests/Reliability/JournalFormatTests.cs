using System.Text;
using System.Text.Json;
using SegBridge.Engine;
using SegBridge.Engine.Journal;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// The journal has its own serializer settings (<see cref="JournalJson"/>) now that the Engine core no longer uses the
/// protocol's: journals written before must still restore, and new ones must be written byte for byte as before.
/// </summary>
public sealed class JournalFormatTests
{
    [Fact]
    public void A_journal_written_by_an_earlier_engine_still_restores()
    {
        var image = TestImages.DiskPngFile();
        var state = Directory.CreateTempSubdirectory("segbridge-journal-format").FullName;
        Directory.CreateDirectory(Path.Combine(state, "sessions"));
        // These lines are what engines before JournalJson wrote (ProtocolJson.Options: [DataMember] names, nulls left out).
        var lines = new[]
        {
            $$"""{"op":"create","sessionId":"ses-7","modelId":"watershed","imagePath":{{JsonSerializer.Serialize(image)}},"imageName":"disk.png","region":[0,0,120,100],"downsample":1,"utc":"2025-06-01T10:00:00.0000000Z"}""",
            """{"op":"interact","interaction":{"type":"click","x":60,"y":50,"x1":0,"y1":0,"positive":true,"size":3,"width":0,"height":0},"utc":"2025-06-01T10:00:01.0000000Z"}""",
            """{"op":"interact","interaction":{"type":"click","x":5,"y":5,"x1":0,"y1":0,"positive":false,"size":3,"width":0,"height":0},"utc":"2025-06-01T10:00:02.0000000Z"}""",
            """{"op":"undo","utc":"2025-06-01T10:00:03.0000000Z"}""",
        };
        File.WriteAllText(Path.Combine(state, "sessions", "ses-7.jsonl"), string.Join("\n", lines) + "\n");

        using var engine = new SegBridgeEngine(new EngineOptions
        {
            ManifestDirectories = [Path.Combine(RepoPaths.Root, "plugin-manifests")], StateDirectory = state, OrphanedSessionTtl = TimeSpan.Zero,
        }, BuiltInFamilies.All);

        Assert.True(engine.Sessions.TryGet("ses-7", out var session), "the session was not restored");
        Assert.Equal(1, session.InteractionCount);
        Assert.Single(session.Redoable);
        var mask = session.CurrentMask;
        Assert.True(TestImages.DiskIoU(mask.Data, mask.Width, mask.Height, 60, 50, 25) > 0.5, "the restored mask does not cover the disk the click was on");
    }

    [Fact]
    public void Journal_records_are_written_byte_for_byte_as_the_protocol_settings_wrote_them()
    {
        var records = new[]
        {
            new JournalRecord
            {
                Op = "create", SessionId = "ses-1", ModelId = "mem3d", ImageBlob = "abc.nii.gz", ImageName = "brain", Region = [1, 2, 30, 40],
                Downsample = 2.5, Slice = 7, InitialMask = "tissue", PropagatedMask = [0, 3, 4], Utc = "2025-06-01T10:00:00.0000000Z",
            },
            new JournalRecord { Op = "interact", Interaction = new JournalInteraction { Type = "scribble", Positive = true, Size = 1.5, Points = [1, 2.25, 3, 4] } },
            new JournalRecord { Op = "interact", Interaction = new JournalInteraction { Type = "labels", Labels = [0, 1, 2, 0], Width = 2, Height = 2 } },
            new JournalRecord { Op = "reset" },
        };
        foreach (var record in records)
        {
            var now = JsonSerializer.SerializeToUtf8Bytes(record, JournalJson.Options);
            Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(record, ProtocolJson.Options)), Encoding.UTF8.GetString(now));
            Assert.DoesNotContain("null", Encoding.UTF8.GetString(now));
        }
    }
}
