using System.Diagnostics;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Brs;
using SegBridge.Models.Torch.Weights;

namespace SegBridge.Models.Torch.Training;

/// <summary>An image and its object mask (nonzero = object), same size.</summary>
public sealed record TrainingSample(string Name, ImageRaster Image, Mask Mask);

/// <summary>The click network's (or a guide's) training options; defaults in <see cref="CropTrainingOptions"/>.</summary>
public sealed record ClickTrainingOptions : CropTrainingOptions
{
    /// <summary>Share of batches that get one more, corrective click from the network's own errors (iterative sampling).</summary>
    public double CorrectiveShare { get; init; } = 0.5;
    /// <summary>A trained guide's weights file to start from (<see cref="GuideStart"/>) instead of the ImageNet backbone alone.</summary>
    public string? StartFrom { get; init; }
}

/// <summary>
/// Trains the base click network (paper §3.2): random crops with flips, clicks from <see cref="ClickSampler"/>
/// plus, for some batches, a corrective click placed on the network's current error (RITM-style iterative
/// sampling), the normalised focal loss, Adam β = (0.9, 0.999) with a step-down of the learning rate at the
/// end. The seed fixes the data order, crops, clicks and initial weights: iteration i draws from its own stream
/// seeded by (seed, i), so a run resumed from a checkpoint continues exactly as it would have gone on. A guide
/// network (3 input channels) is trained the same way without clicks. With held-out samples the IoU on them is
/// measured every <see cref="CropTrainingOptions.ValidationEvery"/> iterations (<see cref="TrainingValidation"/>).
/// </summary>
public sealed class ClickTrainer(ClickTrainingOptions options, Device device)
{
    public sealed record Progress(int Iteration, int Total, double Loss, TimeSpan Elapsed)
    {
        /// <summary>The held-out IoU measured at this iteration, when it was.</summary>
        public double? ValidationIou { get; init; }
        /// <summary>Set on the report that follows a checkpoint written at this iteration.</summary>
        public string? Checkpoint { get; init; }
        /// <summary>Something the run did that the log should say (no loss of its own).</summary>
        public string? Note { get; init; }
        /// <summary>Time left at this run's pace so far.</summary>
        public TimeSpan Remaining { get; init; }
    }

    /// <summary>The checkpoint this run resumed from, when it did.</summary>
    public TrainingCheckpoint.State? ResumedFrom { get; private set; }

    /// <summary>Training seconds of the whole run so far, earlier resumed parts included; null when a resumed checkpoint did not record its own.</summary>
    public double? TrainingSeconds => ResumedFrom is { } r ? r.TrainingSeconds + _clock.Elapsed.TotalSeconds : _clock.Elapsed.TotalSeconds;
    private readonly Stopwatch _clock = new();

    /// <summary>The run's loss and held-out IoU so far (the whole run's after <see cref="Train"/>, resumed parts included).</summary>
    public TrainingCurve Curve { get; private set; } = new();

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, IProgress<Progress>? progress, CancellationToken ct)
        => Train(samples, [], progress, ct);

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, IReadOnlyList<TrainingSample> heldOut, IProgress<Progress>? progress, CancellationToken ct)
    {
        if (samples.Count == 0) throw new ArgumentException("no training samples");
        torch.manual_seed(options.Seed);
        // A resumed run takes every weight from its checkpoint, so a pretrained start would only be overwritten.
        var network = options is { StartFrom: { } guide, ResumeFrom: null } ? StartFromGuide(guide) : new ClickNetwork(options.Network);
        if (options is { PretrainedBackbone: { } pretrained, ResumeFrom: null, StartFrom: null }) ImageNetResNet18.LoadInto(network.Backbone, pretrained);
        network.to(device);
        var schedule = new StepDownAdam(network.parameters(), options.LearningRate, options.Iterations, options.FinalShare);
        var optimizer = schedule.Optimizer;
        var sw = Stopwatch.StartNew();
        _clock.Restart();
        var smoothed = new RunningLoss(0.98);
        int start = 0;
        Curve = new TrainingCurve();
        if (options.ResumeFrom is { } resume)
        {
            var state = TrainingCheckpoint.RestoreForRun(resume, network, optimizer, options.Iterations);
            (start, Curve, ResumedFrom) = (state.Iteration, state.Curve, state);
            smoothed.Add(state.RunningLoss);
        }
        bool withClicks = options.Network.InputChannels == 5; // a guide network (3 inputs) learns from the image alone
        int repaired = BatchNormRepair.RepairNonFinite(network, i =>
        {
            // Its own random stream (iteration −1−i), so the training iterations draw exactly as without a repair.
            var rng = new Random(unchecked(options.Seed * 1_000_003 - 1 - i));
            var crops = Enumerable.Range(0, options.BatchSize).Select(_ => RandomCrop(samples[rng.Next(samples.Count)], rng)).ToList();
            var maps = withClicks ? EncodeClicks(crops.Select(c => new ClickSampler(rng).Sample(c.Mask, options.CropSize, options.CropSize)).ToList()) : null;
            return (cat(crops.Select(c => c.Image).ToList(), 0).to(device), maps);
        }, (x, maps) => network.forward(x, maps));
        if (repaired > 0) progress?.Report(new Progress(start, options.Iterations, double.NaN, sw.Elapsed) { Note = $"re-estimated {repaired} batch-norm variances that were not finite (a float16 file of the ImageNet stem) from 40 training batches" });

        for (int it = start; it < options.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            schedule.StartIteration(it);
            using var scope = NewDisposeScope();
            var rng = new Random(unchecked(options.Seed * 1_000_003 + it));
            var sampler = new ClickSampler(rng);
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
            int done = it + 1;
            Curve.Loss.Add((done, smoothed.Value));
            double? validation = null;
            if (heldOut.Count > 0 && (done % Math.Max(1, options.ValidationEvery) == 0 || done == options.Iterations))
            {
                validation = TrainingValidation.MeanIou(network, heldOut, device);
                Curve.Validation.Add((done, validation.Value));
            }
            string? checkpoint = null;
            if (options is { CheckpointEvery: > 0, CheckpointFolder: { } folder } && done % options.CheckpointEvery == 0 && done < options.Iterations)
                checkpoint = TrainingCheckpoint.Save(folder, done, network, optimizer, smoothed.Value, Curve, TrainingSeconds);
            var remaining = sw.Elapsed / (done - start) * (options.Iterations - done);
            progress?.Report(new Progress(done, options.Iterations, smoothed.Value, sw.Elapsed) { ValidationIou = validation, Checkpoint = checkpoint, Remaining = remaining });
        }
        network.eval();
        return network;
    }

    /// <summary>A click network widened from the guide, or the guide itself to train on.</summary>
    private ClickNetwork StartFromGuide(string path)
    {
        var guide = ClickModelWeights.Load(path).Network;
        return options.Network.InputChannels == guide.Config.InputChannels ? guide : GuideStart.Widen(options.Network, guide);
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
