using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

public class SeedRasterizerTests
{
    private static byte At(SeedMap s, int x, int y) => s.Labels[y * s.Width + x];
    private static int Count(SeedMap s, byte label) => s.Labels.Count(l => l == label);

    [Fact]
    public void RadiusZeroClickMarksOnlyThePixelContainingThePoint()
    {
        var s = SeedRasterizer.Rasterize([new Click(3.9, 2.1, true)], 8, 6);
        Assert.Equal(SeedMap.Foreground, At(s, 3, 2));
        Assert.Equal(1, Count(s, SeedMap.Foreground));
    }

    [Fact]
    public void ClickDiskCoversPixelCentresWithinRadius()
    {
        var s = SeedRasterizer.Rasterize([new Click(10.5, 10.5, false, 3)], 21, 21);
        // Centres at integer offsets from the click: the disk of radius 3 holds 29 lattice points.
        Assert.Equal(29, Count(s, SeedMap.Background));
        Assert.Equal(SeedMap.Background, At(s, 13, 10));
        Assert.Equal(SeedMap.Unlabelled, At(s, 13, 12));
    }

    [Fact]
    public void ClicksAreClippedToTheImage()
    {
        var s = SeedRasterizer.Rasterize([new Click(0.5, 0.5, true, 2), new Click(-50, 3, true, 1)], 5, 5);
        Assert.Equal(SeedMap.Foreground, At(s, 0, 0));
        Assert.Equal(SeedMap.Foreground, At(s, 2, 0));
        Assert.Equal(SeedMap.Unlabelled, At(s, 3, 0));
        Assert.Equal(6, Count(s, SeedMap.Foreground)); // quarter disk of radius 2 at the corner
    }

    [Fact]
    public void ScribbleIsAGapFreeCapsuleOfTheGivenWidth()
    {
        var s = SeedRasterizer.Rasterize([new Scribble([new(2, 5.5), new(18, 5.5)], true, 3)], 20, 11);
        for (int x = 2; x < 18; x++)
        {
            Assert.Equal(SeedMap.Foreground, At(s, x, 4));
            Assert.Equal(SeedMap.Foreground, At(s, x, 6));
            Assert.Equal(SeedMap.Unlabelled, At(s, x, 8));
        }
        var thin = SeedRasterizer.Rasterize([new Scribble([new(0.5, 0.5), new(9.5, 4.5)], true, 0)], 10, 5);
        for (int x = 0; x < 10; x++) Assert.Contains(Enumerable.Range(0, 5), y => At(thin, x, y) == SeedMap.Foreground);
    }

    [Fact]
    public void SinglePointScribbleIsADisk()
    {
        var a = SeedRasterizer.Rasterize([new Scribble([new(7.5, 7.5)], true, 6)], 15, 15);
        var b = SeedRasterizer.Rasterize([new Click(7.5, 7.5, true, 3)], 15, 15);
        Assert.Equal(b.Labels, a.Labels);
    }

    [Fact]
    public void LabelImageIsCopiedAndRejectsUnknownValues()
    {
        var labels = new byte[] { 0, 1, 2, 0 };
        var s = SeedRasterizer.Rasterize([new LabelImage(labels, 2, 2)], 2, 2);
        Assert.Equal(labels, s.Labels);
        var ex = Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new LabelImage([0, 3, 0, 0], 2, 2)], 2, 2));
        Assert.Contains("value 3", ex.Message);
        Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new LabelImage(labels, 2, 2)], 4, 1));
    }

    [Fact]
    public void BoxMakesEverythingOutsideBackground()
    {
        var s = SeedRasterizer.Rasterize([new Box(2, 1, 5, 4)], 6, 5);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
            {
                bool inside = x >= 2 && x < 5 && y >= 1 && y < 4;
                Assert.Equal(inside ? SeedMap.Unlabelled : SeedMap.Background, At(s, x, y));
            }
    }

    [Fact]
    public void LaterInteractionsOverwriteEarlierOnes()
    {
        var s = SeedRasterizer.Rasterize([new Click(5.5, 5.5, true, 2), new Click(5.5, 5.5, false, 0)], 11, 11);
        Assert.Equal(SeedMap.Background, At(s, 5, 5));
        Assert.Equal(SeedMap.Foreground, At(s, 6, 5));
        var boxLast = SeedRasterizer.Rasterize([new Click(0.5, 0.5, true), new Box(2, 2, 4, 4)], 5, 5);
        Assert.Equal(SeedMap.Background, At(boxLast, 0, 0));
    }

    [Fact]
    public void RejectsBadGeometry()
    {
        Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new Click(double.NaN, 1, true)], 5, 5));
        Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new Click(1, 1, true, -1)], 5, 5));
        Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new Scribble([], true)], 5, 5));
        Assert.Throws<ArgumentException>(() => SeedRasterizer.Rasterize([new Box(3, 3, 2, 4)], 5, 5));
    }
}
