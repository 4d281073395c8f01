using SegBridge.Imaging.Interactions;
using SegBridge.Models;
using SegBridge.Models.Classical;

namespace SegBridge.Tests.Models;

/// <summary>Each classical model on synthetic images with known truth.</summary>
public class ClassicalModelAccuracyTests
{
    public static TheoryData<string> Families => new(ClassicalFamilies.All.Select(f => f.Family));

    private static ISegmentationModel Create(string family) =>
        ClassicalFamilies.All.Single(f => f.Family == family).Create(ModelParameters.Empty, []);

    [Theory, MemberData(nameof(Families))]
    public void SegmentsNoisyDiskFromTwoClicks(string family)
    {
        var (image, truth) = SyntheticImages.NoisyDisk();
        var result = Create(family).Segment(image, [new Click(64, 64, true, 3), new Click(10, 10, false, 3)], new ModelSessionState(), default);
        Assert.True(SyntheticImages.Iou(result.Mask, truth) > 0.95, $"{family}: IoU {SyntheticImages.Iou(result.Mask, truth):F3}; {result.Notes}");
        Assert.Contains("clicks only: the 3-pixel border band", result.Notes);
    }

    [Theory, MemberData(nameof(Families))]
    public void SegmentsTwoColourHalvesFromTwoScribbles(string family)
    {
        var (image, truth) = SyntheticImages.TwoColourHalves();
        Interaction[] seeds = [new Scribble([new(10, 10), new(20, 50)], true), new Scribble([new(80, 10), new(70, 50)], false)];
        var result = Create(family).Segment(image, seeds, new ModelSessionState(), default);
        Assert.True(SyntheticImages.Iou(result.Mask, truth) > 0.95, $"{family}: IoU {SyntheticImages.Iou(result.Mask, truth):F3}; {result.Notes}");
    }

    [Theory, MemberData(nameof(Families))]
    public void OneCentralClickUsesTheBorderAsBackground(string family)
    {
        var (image, truth) = SyntheticImages.NoisyDisk();
        var result = Create(family).Segment(image, [new Click(64, 64, true, 2)], new ModelSessionState(), default);
        double iou = SyntheticImages.Iou(result.Mask, truth);
        Assert.True(iou > 0.8, $"{family}: IoU {iou:F3}; {result.Notes}");
        Assert.Contains("no background seeds", result.Notes);
    }

    [Theory, MemberData(nameof(Families))]
    public void BoxAloneFindsTheObjectInside(string family)
    {
        var (image, truth) = SyntheticImages.NoisyDisk();
        var result = Create(family).Segment(image, [new Box(24, 24, 104, 104)], new ModelSessionState(), default);
        double iou = SyntheticImages.Iou(result.Mask, truth);
        Assert.True(iou > 0.9, $"{family}: IoU {iou:F3}; {result.Notes}");
        Assert.Contains("box without foreground seeds", result.Notes);
    }

    [Theory, MemberData(nameof(Families))]
    public void NoSeedsGiveAnEmptyMaskAndSaySo(string family)
    {
        var (image, _) = SyntheticImages.NoisyDisk(32);
        var result = Create(family).Segment(image, [], new ModelSessionState(), default);
        Assert.Equal(0, result.Mask.CountForeground());
        Assert.Contains("no seeds", result.Notes);
    }

    [Theory, MemberData(nameof(Families))]
    public void CancellationIsHonoured(string family)
    {
        var (image, _) = SyntheticImages.NoisyDisk();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Create(family).Segment(image, [new Click(64, 64, true), new Click(5, 5, false)], new ModelSessionState(), cts.Token));
    }

    [Fact]
    public void RandomWalkerCancelsDuringTheSolve()
    {
        // Tolerance 1e-12 and a huge iteration cap keep PCG busy far longer than the 200 ms
        // deadline, so a prompt cancellation shows the token is checked inside the CG loop.
        var (image, _) = SyntheticImages.NoisyDisk(512, 140);
        var model = new RandomWalkerModel(tolerance: 1e-12, maxIterations: 1_000_000);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            model.Segment(image, [new Click(256, 256, true), new Click(5, 5, false)], new ModelSessionState(), cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {clock.Elapsed}");
    }

    [Fact]
    public void RandomWalkerProbabilitiesAreBetweenSeedValues()
    {
        var (image, _) = SyntheticImages.NoisyDisk(64, 16);
        var result = new RandomWalkerModel().Segment(image, [new Click(32, 32, true), new Click(3, 3, false)], new ModelSessionState(), default);
        Assert.NotNull(result.Probability);
        Assert.All(result.Probability!, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(1f, result.Probability![32 * 64 + 32]);
        Assert.Equal(0f, result.Probability![3 * 64 + 3]);
        Assert.Contains("converged", result.Notes);
    }

    [Theory, MemberData(nameof(Families))]
    public void BoxAroundPlainBackgroundStillGivesAMask(string family)
    {
        // Nothing inside the box differs from outside: GrabCut re-estimation may find no
        // foreground at all, which must end the rounds rather than fail on an empty colour model.
        var image = new SegBridge.Imaging.Rasters.ImageRaster(40, 40, 3, Enumerable.Repeat((byte)77, 40 * 40 * 3).ToArray());
        var result = Create(family).Segment(image, [new Box(10, 10, 30, 30)], new ModelSessionState(), default);
        Assert.Equal(40, result.Mask.Width);
        Assert.True(result.Mask.CountForeground() <= 400, "nothing outside the box may be foreground");
        Assert.Contains("box without foreground seeds", result.Notes);
    }
}
