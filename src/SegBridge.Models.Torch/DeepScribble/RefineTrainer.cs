using System.Diagnostics;
using SegBridge.Imaging.Interactions;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// The correction scribbles for a prediction: new seed pixels (1 foreground, 2 background, 0 elsewhere) placed on
/// its errors against <paramref name="truth"/> (nonzero = object), skipping pixels already in
/// <paramref name="labelled"/>; null when nothing is left to correct. The host passes the eval harness's
/// scribble robot, so the network trains on the scribbles it is evaluated with.
/// </summary>
public delegate byte[]? CorrectionScribbles(byte[] prediction, byte[] truth, byte[]? labelled, int width, int height);

/// <summary>
/// RefineNet's options. The paper trains on 384 px patches; a CPU run uses smaller crops (documented with the
/// weights). <see cref="CropTrainingOptions.Network"/> is the refinement network: its
/// <see cref="ClickNetworkConfig.RefineInputs"/> says which guidance it reads.
/// </summary>
public sealed record RefineTrainingOptions : CropTrainingOptions
{
    public RefineTrainingOptions()
    {
        Iterations = 300;
        CropSize = 192;
        LearningRate = 2e-4;
    }

    /// <summary>Rounds of robot scribbles on the guide's errors: 1 up to this many (strokes accumulate, as in a session).</summary>
    public int MaxGuideRounds { get; init; } = 3;
    /// <summary>Share of batches that get one more scribble on the refinement network's own errors.</summary>
    public double CorrectiveShare { get; init; } = 0.5;
    /// <summary>The paper keeps RefineNet patches whose object covers 20–80 % (refinement near boundaries); crops are redrawn up to 10 times to meet it.</summary>
    public double MinObjectShare { get; init; } = 0.2;
    public double MaxObjectShare { get; init; } = 0.8;
    /// <summary>Distance-map cap in network pixels (<see cref="ScribbleDistanceMaps.DefaultCap"/>).</summary>
    public double DistanceCap { get; init; } = ScribbleDistanceMaps.DefaultCap;
}

/// <summary>
/// Trains DeepScribble's RefineNet (§2.2.4): random crops, the frozen guide network's probability, correction
/// scribbles from <see cref="CorrectionScribbles"/> on the guide's errors (and, for some batches, on the
/// network's own), binary cross-entropy against the mask, Adam with a step-down at the end. The network starts
/// as the guide (same weights, extra input channels at zero), so at step 0 it reproduces the guide and learns
/// what the scribbles add.
/// </summary>
public sealed class RefineTrainer(RefineTrainingOptions options, Device device)
{
    public sealed record Progress(int Iteration, int Total, double Loss, TimeSpan Elapsed);

    private string Inputs => options.Network.RefineInputs ?? throw new ArgumentException("the network config names no refineInputs");

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, ClickNetwork guide, CorrectionScribbles scribbles, IProgress<Progress>? progress, CancellationToken ct)
    {
        if (samples.Count == 0) throw new ArgumentException("no training samples");
        torch.manual_seed(options.Seed);
        var rng = new Random(options.Seed);
        var network = GuideStart.Widen(options.Network, guide);
        network.to(device);
        guide.to(device);
        guide.eval();
        var schedule = new StepDownAdam(network.parameters(), options.LearningRate, options.Iterations, options.FinalShare);
        var optimizer = schedule.Optimizer;
        int size = options.CropSize;
        var sw = Stopwatch.StartNew();
        var smoothed = new RunningLoss(0.98);

        for (int it = 0; it < options.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            schedule.StartIteration(it);
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, options.BatchSize).Select(_ => BoundaryCrop(samples, rng)).ToList();
            var images = cat(batch.Select(b => b.Image).ToList(), 0).to(device);
            var targets = TrainingCrops.Targets(batch.Select(b => b.Mask), size).to(device);

            Tensor probability;
            using (no_grad()) probability = sigmoid(guide.forward(images, null));
            var labels = batch.Select(_ => new byte[size * size]).ToArray();
            var guideMasks = Masks(probability);
            for (int i = 0; i < batch.Count; i++)
            {
                int rounds = 1 + rng.Next(options.MaxGuideRounds);
                for (int r = 0; r < rounds; r++)
                    if (!AddScribbles(scribbles, guideMasks[i], batch[i].Mask, labels[i])) break;
            }
            if (rng.NextDouble() < options.CorrectiveShare)
            {
                network.eval();
                Tensor own;
                using (no_grad()) own = sigmoid(network.forward(images, Guidance(probability, labels)));
                var ownMasks = Masks(own);
                for (int i = 0; i < batch.Count; i++) AddScribbles(scribbles, ownMasks[i], batch[i].Mask, labels[i]);
            }

            network.train();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(network.forward(images, Guidance(probability, labels)), targets);
            loss.backward();
            optimizer.step();
            smoothed.Add(loss.item<float>());
            progress?.Report(new Progress(it + 1, options.Iterations, smoothed.Value, sw.Elapsed));
        }
        network.eval();
        return network;
    }

    /// <summary>A crop whose object share lies in the configured range, redrawn up to ten times (then any crop is taken).</summary>
    private (Tensor Image, byte[] Mask) BoundaryCrop(IReadOnlyList<TrainingSample> samples, Random rng)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var sample = samples[rng.Next(samples.Count)];
            if (TrainingCrops.Random(sample.Image, sample.Mask, options.CropSize, options.MinScale, options.MaxScale, rng,
                    share => share >= options.MinObjectShare && share <= options.MaxObjectShare) is { } crop) return (crop.Image, crop.Mask!);
        }
        var last = samples[rng.Next(samples.Count)];
        var any = TrainingCrops.Random(last.Image, last.Mask, options.CropSize, options.MinScale, options.MaxScale, rng);
        return (any.Image, any.Mask!);
    }

    private static byte[][] Masks(Tensor probability)
    {
        var cpu = probability.cpu();
        return Enumerable.Range(0, (int)cpu.shape[0]).Select(i => cpu[i, 0].contiguous().data<float>().Select(p => p >= 0.5f ? (byte)1 : (byte)0).ToArray()).ToArray();
    }

    /// <summary>Adds one round of correction scribbles to <paramref name="labels"/> (later strokes win); false when nothing was left to correct.</summary>
    private bool AddScribbles(CorrectionScribbles scribbles, byte[] prediction, byte[] truth, byte[] labels)
    {
        var added = scribbles(prediction, truth, labels, options.CropSize, options.CropSize);
        if (added is null) return false;
        for (int p = 0; p < added.Length; p++) if (added[p] != 0) labels[p] = added[p];
        return true;
    }

    private Tensor? Guidance(Tensor probability, byte[][] labels)
    {
        int size = options.CropSize;
        Tensor? seeds = null;
        if (Inputs is "I+P+S" or "I+P+D")
        {
            var maps = labels.Select(l => ScribbleGuidance.SeedChannels(Inputs, [new LabelImage(l, size, size)], size, size, options.DistanceCap)!.Value)
                .Select(m => tensor(m.Foreground.Concat(m.Background).ToArray(), [1, 2, size, size])).ToList();
            seeds = cat(maps, 0).to(device);
        }
        return ScribbleGuidance.Stack(Inputs, probability, seeds);
    }
}
