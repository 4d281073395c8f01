using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Eval;

public class ScribbleRobotTests
{
    private static List<int> Pixels(byte[] labels, byte value) => Enumerable.Range(0, labels.Length).Where(i => labels[i] == value).ToList();

    [Fact]
    public void A_missed_disk_gets_a_positive_scribble_at_its_centre()
    {
        int w = 61;
        var truth = Shapes.Truth(w, w, Shapes.Disk(w, w, 30, 30, 20));
        var labels = ScribbleRobot.Propose(Shapes.Empty(w, w), truth, null, share: 0.01)!;
        var fg = Pixels(labels, SeedMap.Foreground);
        Assert.NotEmpty(fg);
        Assert.Empty(Pixels(labels, SeedMap.Background));
        // The skeleton of a (thresholded) disk shrinks to its centre.
        Assert.All(fg, p => Assert.True(Math.Abs(p % w - 30) <= 2 && Math.Abs(p / w - 30) <= 2, $"pixel ({p % w}, {p / w})"));
    }

    [Fact]
    public void A_missed_bar_gets_its_medial_line_cut_to_the_budget()
    {
        int w = 100, h = 40;
        var truth = Shapes.Truth(w, h, Shapes.Rect(w, h, 10, 10, 80, 11)); // rows 10..20, medial row 15
        double share = 20.0 / (w * h);                                    // 20 pixels
        var labels = ScribbleRobot.Propose(Shapes.Empty(w, h), truth, null, share)!;
        var fg = Pixels(labels, SeedMap.Foreground);
        Assert.Equal(20, fg.Count);
        Assert.All(fg, p => Assert.Equal(15, p / w));
        var xs = fg.Select(p => p % w).Order().ToList();
        Assert.Equal(Enumerable.Range(xs[0], 20), xs); // one connected stroke
    }

    [Fact]
    public void The_default_budget_is_five_hundredths_of_a_percent()
    {
        int w = 200, h = 100; // 20 000 pixels → 10 scribble pixels
        var truth = Shapes.Truth(w, h, Shapes.Rect(w, h, 10, 10, 180, 61));
        var labels = ScribbleRobot.Propose(Shapes.Empty(w, h), truth, null)!;
        Assert.Equal(10, Pixels(labels, SeedMap.Foreground).Count);
        Assert.Equal(0.0005, ScribbleRobot.DefaultShare);
    }

    [Fact]
    public void A_false_positive_gets_a_negative_scribble_and_large_regions_come_first()
    {
        int w = 100, h = 40;
        var obj = Shapes.Rect(w, h, 5, 5, 20, 20);
        var fp = Shapes.Rect(w, h, 40, 5, 50, 21);                  // the larger error region
        var pred = Shapes.M(w, h, Shapes.Union(Shapes.Rect(w, h, 5, 5, 20, 17), fp)); // small false negative: 3 rows
        var labels = ScribbleRobot.Propose(pred, Shapes.Truth(w, h, obj), null, share: 10.0 / (w * h))!;
        var bg = Pixels(labels, SeedMap.Background);
        Assert.Equal(10, bg.Count);                                 // the whole budget went to the larger region
        Assert.All(bg, p => Assert.Equal(15, p / w));               // its medial row
        Assert.Empty(Pixels(labels, SeedMap.Foreground));
        // With a bigger budget the false negative is served too, with the positive label.
        labels = ScribbleRobot.Propose(pred, Shapes.Truth(w, h, obj), null, share: 0.05)!;
        Assert.Contains(Pixels(labels, SeedMap.Foreground), p => p % w is >= 5 and < 25 && p / w is >= 22 and < 25);
    }

    [Fact]
    public void Scribbled_pixels_and_the_ignore_band_are_not_scribbled_again()
    {
        int w = 60;
        var disk = Shapes.Disk(w, w, 30, 30, 12);
        var band = Shapes.Minus(Shapes.Disk(w, w, 30, 30, 16), disk);
        var truth = Shapes.Truth(w, w, disk, band);
        Assert.Null(ScribbleRobot.Propose(Shapes.M(w, w, Shapes.Union(disk, band)), truth, null));
        var robot = new ScribbleRobot(share: 0.002);
        var stuck = Shapes.Empty(w, w);
        var first = robot.Next(stuck, truth)!;
        var second = robot.Next(stuck, truth)!;
        Assert.NotEmpty(Pixels(second.Labels, SeedMap.Foreground));
        Assert.Empty(Pixels(second.Labels, SeedMap.Foreground).Intersect(Pixels(first.Labels, SeedMap.Foreground)));
        Assert.All(Pixels(second.Labels, SeedMap.Foreground), p => Assert.Equal(1, disk[p]));
    }

    [Fact]
    public void Human_strokes_are_replayed_largest_first()
    {
        int w = 30, h = 10;
        var labels = new byte[w * h];
        for (int x = 1; x < 4; x++) labels[1 * w + x] = 1;           // 3 px foreground
        for (int x = 10; x < 20; x++) labels[5 * w + x] = 2;         // 10 px background
        for (int y = 2; y < 7; y++) labels[y * w + 25] = 1;          // 5 px foreground
        var strokes = RealScribbles.Strokes(labels, w, h);
        Assert.Equal(3, strokes.Count);
        Assert.Equal([10, 5, 3], strokes.Select(s => s.Labels.Count(v => v != 0)));
        Assert.Equal(2, strokes[0].Labels[5 * w + 10]);
        Assert.Equal(1, strokes[1].Labels[2 * w + 25]);
        Assert.Equal(1, strokes[2].Labels[1 * w + 1]);
    }
}
