using SegBridge.Imaging.Interactions;

namespace SegBridge.Tests.Imaging;

public sealed class ScribbleDistanceMapsTests
{
    private const int W = 80, H = 60;
    private static readonly Scribble Horizontal = new([new PointD(10, 20.5), new PointD(70, 20.5)], Positive: true, Width: 1);
    private static readonly Scribble Vertical = new([new PointD(40.5, 5), new PointD(40.5, 55)], Positive: true, Width: 1);
    private static readonly Scribble Background = new([new PointD(5, 50.5), new PointD(30, 50.5)], Positive: false, Width: 1);

    [Fact]
    public void A_stroke_is_one_on_itself_and_falls_linearly_with_distance_to_zero_at_the_cap()
    {
        var maps = ScribbleDistanceMaps.Compute([Horizontal], W, H, cap: 20);
        Assert.Equal(1f, maps.Foreground[20 * W + 40]);
        for (int dy = 1; dy < 25; dy++)
        {
            float expected = Math.Max(0, 1 - dy / 20f);
            Assert.Equal(expected, maps.Foreground[(20 + dy) * W + 40], 5); // straight below the stroke: d = dy
        }
        Assert.All(maps.Background, v => Assert.Equal(0f, v)); // no background seed
    }

    [Fact]
    public void Strokes_accumulate_as_the_closer_seed_and_undo_removes_only_the_last()
    {
        var one = ScribbleDistanceMaps.Compute([Horizontal], W, H);
        var other = ScribbleDistanceMaps.Compute([Vertical], W, H);
        var both = ScribbleDistanceMaps.Compute([Horizontal, Vertical, Background], W, H);
        for (int i = 0; i < W * H; i++) Assert.Equal(Math.Max(one.Foreground[i], other.Foreground[i]), both.Foreground[i], 5);
        Assert.Equal(1f, both.Background[50 * W + 10]);

        var undone = ScribbleDistanceMaps.Compute([Horizontal, Vertical], W, H);
        Assert.Equal(both.Foreground, undone.Foreground);
        Assert.All(undone.Background, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Label_images_count_as_strokes_and_a_bad_cap_is_refused()
    {
        var labels = new byte[W * H];
        labels[30 * W + 30] = 2;
        var maps = ScribbleDistanceMaps.Compute([new LabelImage(labels, W, H)], W, H, cap: 10);
        Assert.Equal(1f, maps.Background[30 * W + 30]);
        Assert.Equal(1 - 5 / 10f, maps.Background[30 * W + 35], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScribbleDistanceMaps.Compute([Horizontal], W, H, cap: 0));
    }
}
