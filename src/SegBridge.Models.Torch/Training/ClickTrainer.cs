using System.Diagnostics;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Refinement;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>An image and its object mask (nonzero = object), same size.</summary>
public sealed record TrainingSample(string Name, ImageRaster Image, Mask Mask);

public sealed record ClickTrainingOptions
{
    public ClickNetworkConfig Network { get; init; } = new();
    public int Iterations { get; init; } = 2000;
    public int BatchSize { get; init; } = 8;
    public int CropSize { get; init; } = 256;
    /// <summary>Random rescale range applied before cropping.</summary>
    public double MinScale { get; init; } = 0.5;
    public double MaxScale { get; init; } = 1.0;
    /// <summary>Adam learning rate; the last <see cref="FinalShare"/> of the iterations run at a tenth of it (the paper's 100 + 20 epochs).</summary>
    public double LearningRate { get; init; } = 5e-4;
    public double FinalShare { get; init; } = 1.0 / 6;
    /// <summary>Share of batches that get one more, corrective click from the network's own errors (iterative sampling).</summary>
    public double CorrectiveShare { get; init; } = 0.5;
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Trains the base click network (paper §3.2): random crops with flips, clicks from <see cref="ClickSampler"/>
/// plus, for some batches, a corrective click placed on the network's current error (RITM-style iterative
/// sampling), the normalised focal loss, Adam β = (0.9, 0.999) with a step-down of the learning rate at the
/// end. The seed fixes the data order, crops, clicks and initial weights. A guide network (3 input channels) is
/// trained the same way without clicks.
/// </summary>
public sealed class ClickTrainer(ClickTrainingOptions options, Device device)
{
    public sealed record Progress(int Iteration, int Total, double Loss, TimeSpan Elapsed);

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, IProgress<Progress>? progress, CancellationToken ct)
    {
        if (samples.Count == 0) throw new ArgumentException("no training samples");
        torch.manual_seed(options.Seed);
        var rng = new Random(options.Seed);
        var sampler = new ClickSampler(rng);
        var network = new ClickNetwork(options.Network);
        network.to(device);
        var schedule = new StepDownAdam(network.parameters(), options.LearningRate, options.Iterations, options.FinalShare);
        var optimizer = schedule.Optimizer;
        var sw = Stopwatch.StartNew();
        var smoothed = new RunningLoss(0.98);
        bool withClicks = options.Network.InputChannels == 5; // a guide network (3 inputs) learns from the image alone

        for (int it = 0; it < options.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            schedule.StartIteration(it);
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, options.BatchSize).Select(_ => RandomCrop(samples[rng.Next(samples.Count)], rng)).ToList();
            var clicks = withClicks ? batch.Select(b => sampler.Sample(b.Mask, options.CropSize, options.CropSize)).ToList() : null;
            var images = cat(batch.Select(b => b.Image).ToList(), 0).to(device);
            var targets = TrainingCrops.Targets(batch.Select(b => b.Mask), options.CropSize).to(device);

            if (clicks is not null && rng.NextDouble() < options.CorrectiveShare) AddCorrectiveClicks(network, images, batch, clicks);

            network.train();
            var maps = clicks is null ? null : EncodeClicks(clicks);
            optimizer.zero_grad();
            var loss = NormalizedFocalLoss.Compute(network.forward(images, maps), targets);
            loss.backward();
            optimizer.step();
            smoothed.Add(loss.item<float>());
            progress?.Report(new Progress(it + 1, options.Iterations, smoothed.Value, sw.Elapsed));
        }
        network.eval();
        return network;
    }

    /// <summary>Runs the network (eval mode, no gradient) with the sampled clicks and adds its worst error as one more click.</summary>
    private void AddCorrectiveClicks(ClickNetwork network, Tensor images, List<(Tensor Image, byte[] Mask)> batch, List<List<ClickPoint>> clicks)
    {
        network.eval();
        using var _ = no_grad();
        var probability = sigmoid(network.forward(images, EncodeClicks(clicks))).cpu();
        for (int i = 0; i < batch.Count; i++)
        {
            var p = probability[i, 0].contiguous().data<float>().ToArray();
            if (ClickSampler.CorrectiveClick(batch[i].Mask, p, options.CropSize, options.CropSize) is { } click) clicks[i].Add(click);
        }
    }

    /// <summary>The batch's click maps, (N,2,crop,crop) on the training device.</summary>
    private Tensor EncodeClicks(List<List<ClickPoint>> clicks)
        => cat(clicks.Select(c => ClickEncoding.Encode(c, options.CropSize, options.CropSize, options.Network.ClickNormRadius)).ToList(), 0).to(device);

    /// <summary>One augmented crop (<see cref="TrainingCrops"/>) of a sample with its mask.</summary>
    private (Tensor Image, byte[] Mask) RandomCrop(TrainingSample sample, Random rng)
    {
        var (image, mask) = TrainingCrops.Random(sample.Image, sample.Mask, options.CropSize, options.MinScale, options.MaxScale, rng);
        return (image, mask!);
    }
}
