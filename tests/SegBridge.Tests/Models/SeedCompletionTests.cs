using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Classical;

namespace SegBridge.Tests.Models;

public class SeedCompletionTests
{
    [Fact]
    public void BorderBandSparesPixelsNearAForegroundSeed()
    {
        var c = SeedCompletion.Complete([new Click(2.5, 2.5, true)], 60, 40, BoxForegroundFallback.CoreSeeds);
        Assert.Null(c.DecidedMask);
        Assert.Contains("3-pixel band", c.Notes);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 60; x++)
            {
                bool band = x < 3 || y < 3 || x >= 57 || y >= 37;
                bool nearSeed = (x - 2) * (x - 2) + (y - 2) * (y - 2) <= SeedCompletion.ForegroundClearance * SeedCompletion.ForegroundClearance;
                byte expected = x == 2 && y == 2 ? SeedMap.Foreground : band && !nearSeed ? SeedMap.Background : SeedMap.Unlabelled;
                Assert.Equal(expected, c.Seeds.Labels[y * 60 + x]);
            }
    }

    [Fact]
    public void BoxWithoutForegroundUsesItsCoreOrItsColours()
    {
        var core = SeedCompletion.Complete([new Box(10, 10, 50, 30)], 60, 40, BoxForegroundFallback.CoreSeeds);
        Assert.Equal(SeedMap.Foreground, core.Seeds.Labels[20 * 60 + 30]); // centre
        Assert.Equal(SeedMap.Unlabelled, core.Seeds.Labels[11 * 60 + 11]); // box rim
        Assert.Equal(SeedMap.Background, core.Seeds.Labels[5 * 60 + 5]);   // outside
        Assert.Contains("ellipse", core.Notes);

        var colour = SeedCompletion.Complete([new Box(10, 10, 50, 30)], 60, 40, BoxForegroundFallback.ColourModel);
        Assert.False(colour.Seeds.HasForeground);
        Assert.Equal(new PixelRect(10, 10, 40, 20), colour.ForegroundColourBox);
        Assert.Contains("GrabCut", colour.Notes);
    }

    [Fact]
    public void OnlyBackgroundSeedsGiveAnEmptyMask()
    {
        var c = SeedCompletion.Complete([new Click(5, 5, false)], 20, 20, BoxForegroundFallback.CoreSeeds);
        Assert.Equal(0, c.DecidedMask!.CountForeground());
        Assert.Contains("no foreground seeds", c.Notes);
    }

    [Fact]
    public void ScribblesWithBothLabelsAreUsedAsGiven()
    {
        var c = SeedCompletion.Complete(
            [new Scribble([new PointD(5, 5)], true, 1), new Scribble([new PointD(15, 15)], false, 1)], 20, 20, BoxForegroundFallback.CoreSeeds);
        Assert.Null(c.DecidedMask);
        Assert.Equal(2, c.Seeds.Labels.Count(l => l != SeedMap.Unlabelled));
        Assert.Contains("as given", c.Notes);
    }

    [Fact]
    public void NegativeClicksAddToTheBorderBandInsteadOfReplacingIt()
    {
        var c = SeedCompletion.Complete([new Click(50, 50, true), new Click(30, 30, false)], 100, 100, BoxForegroundFallback.CoreSeeds);
        Assert.Null(c.DecidedMask);
        Assert.Equal(SeedMap.Background, c.Seeds.Labels[30 * 100 + 30]); // the negative click
        Assert.Equal(SeedMap.Background, c.Seeds.Labels[0]);             // the band is still there
        Assert.Equal(SeedMap.Background, c.Seeds.Labels[99 * 100 + 50]);
        Assert.Contains("clicks only", c.Notes);
    }
}
