using SegBridge.Eval;

namespace SegBridge.Tests.Eval;

public class MetricsTests
{
    [Fact]
    public void Iou_and_dice_skip_ignored_pixels()
    {
        int w = 10, h = 1;
        // truth: 4 object, 2 ignored, 4 background; prediction: 2 object hits, the 2 ignored, 1 background
        var obj = new byte[] { 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
        var ign = new byte[] { 0, 0, 0, 0, 1, 1, 0, 0, 0, 0 };
        var pred = Shapes.M(w, h, [1, 1, 0, 0, 1, 1, 1, 0, 0, 0]);
        var truth = Shapes.Truth(w, h, obj, ign);
        Assert.Equal(2.0 / 5, Metrics.Iou(pred, truth), 10);  // inter 2, union 4 + 3 - 2
        Assert.Equal(4.0 / 7, Metrics.Dice(pred, truth), 10); // 2*2 / (3 + 4)
        Assert.Equal(1.0, Metrics.Iou(Shapes.Empty(w, h), Shapes.Truth(w, h, new byte[10])));
    }

    [Fact]
    public void Noc_is_the_first_interaction_reaching_the_target_or_max()
    {
        double[] ious = [0.5, 0.86, 0.84, 0.91];
        Assert.Equal((2, false), Metrics.NumberOfClicks(0, ious, 0.85, 20));
        Assert.Equal((4, false), Metrics.NumberOfClicks(0, ious, 0.90, 20));
        Assert.Equal((20, true), Metrics.NumberOfClicks(0, ious, 0.95, 20));
        Assert.Equal((3, true), Metrics.NumberOfClicks(0, ious, 0.95, 3));
        Assert.Equal((0, false), Metrics.NumberOfClicks(0.9, [], 0.85, 20));   // the initial mask already reaches it
        Assert.Equal((1, false), Metrics.NumberOfClicks(0, [0.85], 0.85, 20)); // IoU >= t counts
    }

    [Fact]
    public void Curves_carry_the_last_value_forward()
    {
        Assert.Equal([0.5, 0.9, 0.9, 0.9], Metrics.CarryForward(0.1, [0.5, 0.9], 4));
        Assert.Equal([0.3, 0.3], Metrics.CarryForward(0.3, [], 2));
        Assert.Equal([0.5, 1.0], Metrics.Mean([[0.0, 1.0], [1.0, 1.0]], 2));
    }

    [Fact]
    public void Summary_counts_failures_consistently_with_noc()
    {
        SampleResult S(double[] ious) => new()
        {
            Name = "s", Width = 1, Height = 1, InitialIou = 0, InitialDice = 0, Ious = ious, Dices = ious, Seconds = ious.Select(_ => 0.5).ToArray(),
            Noc = [Metrics.NumberOfClicks(0, ious, 0.85, 3).Noc, Metrics.NumberOfClicks(0, ious, 0.9, 3).Noc],
            Failed = [Metrics.NumberOfClicks(0, ious, 0.85, 3).Failed, Metrics.NumberOfClicks(0, ious, 0.9, 3).Failed], Stop = "x",
        };
        var options = new EvalOptions { Models = ["m"], MaxInteractions = 3, Targets = [0.85, 0.9] };
        var s = EvalRunner.Summarise("m", [S([0.95]), S([0.5, 0.88, 0.89]), S([0.86, 0.92])], options);
        Assert.Equal([(1 + 2 + 1) / 3.0, (1 + 3 + 2) / 3.0], s.MeanNoc);
        Assert.Equal([0, 1], s.NoF);
        Assert.Equal(0.5, s.SecondsPerInteraction, 10);
        Assert.Equal(3.0, s.TotalSeconds, 10);
        Assert.Equal([(0.95 + 0.5 + 0.86) / 3, (0.95 + 0.88 + 0.92) / 3, (0.95 + 0.89 + 0.92) / 3], s.MeanIouCurve.Select(v => Math.Round(v, 12)), (a, b) => Math.Abs(a - b) < 1e-9);
    }
}
