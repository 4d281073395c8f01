using SegBridge.Engine.Journal;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Reliability;

/// <summary>Saving a volume's rounds on a full disk: refused, the old rounds kept, no temporary file left taking room.</summary>
public sealed class VolumeRoundsFullDiskTests
{
    private static VolumeRoundsRecord Record(float quality) => new()
    {
        VolumeKey = "file:/data/vol.nii.gz|123|456", ModelId = "mem3d-brats", Width = 2, Height = 2, Depth = 3,
        Interactive = new() { [0] = [4] },
        Latest = new VolumePropagationRecord { SliceRle = [[4], [0, 4], [1, 3]], Quality = [1f, quality, 1f], ForegroundPerSlice = [0, 4, 3], InteractiveSlices = [0] },
    };

    [SkippableFact]
    public void A_save_that_does_not_fit_is_refused_and_keeps_the_old_rounds()
    {
        var (tmpfs, whyNot) = SmallTmpfs.TryMount("64k");
        Skip.If(tmpfs is null, whyNot);
        using (tmpfs)
        {
            var store = new VolumeRoundsStore(tmpfs.Path);
            store.Save(Record(0.25f));
            var filler = tmpfs.FillUp();

            var refused = Assert.Throws<JournalUnavailableException>(() => store.Save(Record(0.5f)));
            Assert.Contains("no space left", refused.Message);
            Assert.DoesNotContain(tmpfs.Path, refused.Message);
            Assert.Empty(Directory.GetFiles(tmpfs.Path, "*.tmp"));
            Assert.Equal(0.25f, store.Load(Record(0).VolumeKey, "mem3d-brats", 2, 2, 3)!.Latest!.Quality[1]);

            File.Delete(filler);
            store.Save(Record(0.5f));
            Assert.Equal(0.5f, store.Load(Record(0).VolumeKey, "mem3d-brats", 2, 2, 3)!.Latest!.Quality[1]);
        }
    }
}
