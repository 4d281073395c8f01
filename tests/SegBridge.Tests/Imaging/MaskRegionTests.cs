using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

/// <summary>A session's region of a mask and back: <see cref="Mask.Crop"/> and <see cref="Mask.PlacedIn"/>.</summary>
public sealed class MaskRegionTests
{
    [Fact]
    public void Crop_then_place_gives_the_region_back_and_nothing_else()
    {
        var full = new Mask(7, 5, Enumerable.Range(0, 35).Select(i => (byte)(i % 3 == 0 ? 1 : 0)).ToArray());
        var crop = full.Crop(2, 1, 4, 3);
        Assert.Equal((4, 3), (crop.Width, crop.Height));
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(full[x + 2, y + 1], crop[x, y]);
        var placed = crop.PlacedIn(7, 5, 2, 1);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++)
                Assert.Equal(x is >= 2 and < 6 && y is >= 1 and < 4 && full[x, y], placed[x, y]);
    }

    [Fact]
    public void Regions_outside_the_mask_are_refused()
    {
        var mask = new Mask(4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => mask.Crop(1, 1, 4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => mask.Crop(-1, 0, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => mask.PlacedIn(5, 5, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => mask.PlacedIn(4, 4, 0, -1));
    }
}
