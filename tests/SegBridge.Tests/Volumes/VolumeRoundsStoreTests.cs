using System.Text.Json;
using SegBridge.Engine.Journal;
using SegBridge.Protocol;

namespace SegBridge.Tests.Volumes;

/// <summary>The rounds files of the state folder: the engine's own format, the same bytes the protocol's serializer wrote before.</summary>
public sealed class VolumeRoundsStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segbridge-rounds-store").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VolumeRoundsRecord Record(string? notes) => new()
    {
        VolumeKey = "file:/data/vol.nii.gz|123|456", ModelId = "mem3d-brats", Width = 2, Height = 2, Depth = 3,
        Interactive = new() { [2] = [1, 3], [0] = [4] }, // saved order is the model's memory order
        Latest = new VolumePropagationRecord
        {
            SliceRle = [[4], [0, 4], [1, 3]], Quality = [1f, 0.25f, 1f], ForegroundPerSlice = [0, 4, 3], InteractiveSlices = [0, 2], Seconds = 1.5, Notes = notes,
        },
    };

    [Theory]
    [InlineData("Mem3D on cpu")]
    [InlineData(null)]
    public void A_saved_file_has_the_bytes_the_protocol_serializer_wrote_before(string? notes)
    {
        var store = new VolumeRoundsStore(_dir);
        var record = Record(notes);
        store.Save(record);
        var written = File.ReadAllBytes(store.PathOf(record.VolumeKey, record.ModelId));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(record, ProtocolJson.Options), written);
        Assert.Equal(notes is not null, System.Text.Encoding.UTF8.GetString(written).Contains("\"notes\""));
    }

    [Fact]
    public void A_file_written_before_loads_with_its_slices_in_their_saved_order()
    {
        var store = new VolumeRoundsStore(_dir);
        var old = Record("Mem3D on cpu");
        File.WriteAllBytes(store.PathOf(old.VolumeKey, old.ModelId), JsonSerializer.SerializeToUtf8Bytes(old, ProtocolJson.Options));
        var loaded = store.Load(old.VolumeKey, old.ModelId, 2, 2, 3)!;
        Assert.Equal([2, 0], loaded.Interactive.Keys);
        Assert.Equal([1, 3], loaded.Interactive[2]);
        var latest = loaded.Latest!.ToPropagation();
        Assert.Equal([0.25f], latest.Quality[1..2]);
        Assert.Equal([0L, 4, 3], latest.ForegroundPerSlice);
        Assert.Equal("Mem3D on cpu", latest.Notes);
    }

    [Fact]
    public void A_file_without_its_volume_key_is_set_aside_and_read_as_no_rounds()
    {
        var store = new VolumeRoundsStore(_dir);
        var path = store.PathOf("k", "m");
        File.WriteAllText(path, """{"modelId":"m","width":2,"height":2,"depth":3,"interactive":{}}""");
        Assert.Null(store.Load("k", "m", 2, 2, 3));
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(path + ".unreadable"));
    }
}
