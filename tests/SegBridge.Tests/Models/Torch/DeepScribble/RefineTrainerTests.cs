using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.DeepScribble;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.DeepScribble;

/// <summary>RefineNet trains on simulated sessions: scribbles accumulate round by round on the network's own answers, up to the round limit.</summary>
public sealed class RefineTrainerTests
{
    private sealed record Call(int LabelledBefore, int Added);

    [Fact]
    public void Sessions_accumulate_scribbles_round_by_round_and_end_at_the_round_limit()
    {
        manual_seed(5);
        var small = new ClickNetworkConfig { Width = 8, AsppChannels = 16, DecoderChannels = 16, LowLevelChannels = 8, InputChannels = 3 };
        using var guide = new ClickNetwork(small);
        var options = new RefineTrainingOptions
        {
            Network = small with { RefineInputs = "I+P+D", InputChannels = 6 },
            Iterations = 7, BatchSize = 2, CropSize = 32, Rounds = 3, MinScale = 1, MaxScale = 1, LearningRate = 1e-3,
        };
        // The real scribble robot, with every call recorded: how many pixels were labelled before it and how many it added.
        var calls = new List<Call>();
        byte[]? Robot(byte[] prediction, byte[] truth, byte[]? labelled, int w, int h)
        {
            var added = ScribbleRobot.Propose(new Mask(w, h, prediction), GroundTruth.FromMask(new Mask(w, h, truth)), labelled);
            calls.Add(new Call(labelled?.Count(v => v != 0) ?? 0, added?.Count(v => v != 0) ?? 0));
            return added;
        }
        var rounds = new List<double>();
        var trainer = new RefineTrainer(options, CPU);
        using var network = trainer.Train([Disk(40, 1), Disk(48, 2)], guide, Robot, new Progress(p => rounds.Add(p.MeanRound)), CancellationToken.None);

        // Each session: the first scribble on the guide's answer, then one per step on RefineNet's own, three rounds in all.
        // Slot 0 runs sessions over steps 1-3, 4-6 and 7; slot 1's first session is cut to two rounds (steps 1-2), then 3-5 and 6-7.
        Assert.Equal(6, trainer.SessionsStarted);
        Assert.Equal(0, trainer.SessionsSolved);
        Assert.Equal([1.0, 2, 2, 1.5, 2.5, 2, 1.5], rounds);
        // A session's calls see the labels grow: the second and third scribble of a session start from what the first left.
        // Slot 0: 3 + 3 calls for its whole sessions and 2 for the one the run ends in; slot 1: 2 + 3 + 3.
        Assert.Equal(8 + 8, calls.Count);
        Assert.Contains(calls, c => c.LabelledBefore > 0);
        Assert.All(calls, c => Assert.True(c.Added > 0, "the robot found an error on every round of these disks"));
        Assert.Equal(6, calls.Count(c => c.LabelledBefore == 0));
    }

    /// <summary>A grey image with a bright disk of the given radius in the middle (its mask the disk).</summary>
    private static TrainingSample Disk(int size, int seed)
    {
        var pixels = new byte[size * size * 3];
        var mask = new byte[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool inside = (x - size / 2.0) * (x - size / 2.0) + (y - size / 2.0) * (y - size / 2.0) < size * size / 9.0;
                mask[y * size + x] = inside ? (byte)1 : (byte)0;
                for (int c = 0; c < 3; c++) pixels[(y * size + x) * 3 + c] = (byte)(inside ? 200 : 60 + 10 * seed);
            }
        return new TrainingSample($"disk-{seed}", new ImageRaster(size, size, 3, pixels), new Mask(size, size, mask));
    }

    private sealed class Progress(Action<RefineTrainer.Progress> report) : IProgress<RefineTrainer.Progress>
    {
        public void Report(RefineTrainer.Progress value) => report(value);
    }
}
