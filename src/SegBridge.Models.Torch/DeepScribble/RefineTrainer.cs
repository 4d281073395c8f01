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

    /// <summary>Correction rounds per simulated session (the paper's protocol: up to 20 scribbles).</summary>
    public int Rounds { get; init; } = 20;
    /// <summary>Robot scribbles on a held-out image before its IoU is measured, for the validation curve.</summary>
    public int ValidationRounds { get; init; } = 5;
    /// <summary>The paper keeps RefineNet patches whose object covers 20–80 % (refinement near boundaries); crops are redrawn up to 10 times to meet it.</summary>
    public double MinObjectShare { get; init; } = 0.2;
    public double MaxObjectShare { get; init; } = 0.8;
    /// <summary>Distance-map cap in network pixels (<see cref="ScribbleDistanceMaps.DefaultCap"/>).</summary>
    public double DistanceCap { get; init; } = ScribbleDistanceMaps.DefaultCap;
}

/// <summary>
/// Trains DeepScribble's RefineNet (§2.2.4) on what a user does: a pool of simulated sessions, one per batch slot.
/// A session starts on a random crop (object share 20–80 %) with GuideNet's probability and a first robot scribble
/// on GuideNet's errors; every training step is one more round, whose answer (before the step's update) places the
/// next scribble on the network's own errors, strokes accumulating as in a session, until <see cref="RefineTrainingOptions.Rounds"/>
/// rounds or nothing is left to correct; then the slot starts a new session (the pool's first sessions are cut
/// short by slot, so batches mix early and late rounds). Binary cross-entropy against the
/// mask, Adam with a step-down at the end. The network starts as the guide (same weights, extra input channels
/// at zero), so at step 0 it reproduces the guide. Checkpoints keep the network and optimiser; a resumed run
/// starts fresh sessions (the pool is not saved), which changes the data it sees but not what it learns from.
/// </summary>
public sealed class RefineTrainer(RefineTrainingOptions options, Device device)
{
    public sealed record Progress(int Iteration, int Total, double Loss, TimeSpan Elapsed)
    {
        public double? ValidationIou { get; init; }
        public string? Checkpoint { get; init; }
        public TimeSpan Remaining { get; init; }
        /// <summary>Mean round of the batch's sessions at this step (how far into the sequences training is).</summary>
        public double MeanRound { get; init; }
    }

    public TrainingCheckpoint.State? ResumedFrom { get; private set; }
    public TrainingCurve Curve { get; private set; } = new();
    public double? TrainingSeconds => ResumedFrom is { } r ? r.TrainingSeconds + _clock.Elapsed.TotalSeconds : _clock.Elapsed.TotalSeconds;
    /// <summary>The held-out images' IoU with GuideNet's mask alone, the baseline of the validation curve (null without validation).</summary>
    public double? ValidationGuideIou { get; private set; }
    /// <summary>Sessions the run started, and how many ended because the robot found nothing left to correct.</summary>
    public int SessionsStarted { get; private set; }
    public int SessionsSolved { get; private set; }
    private readonly Stopwatch _clock = new();

    private string Inputs => options.Network.RefineInputs ?? throw new ArgumentException("the network config names no refineInputs");

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, ClickNetwork guide, CorrectionScribbles scribbles, IProgress<Progress>? progress, CancellationToken ct)
        => Train(samples, [], guide, scribbles, progress, ct);

    public ClickNetwork Train(IReadOnlyList<TrainingSample> samples, IReadOnlyList<TrainingSample> heldOut, ClickNetwork guide, CorrectionScribbles scribbles,
        IProgress<Progress>? progress, CancellationToken ct)
    {
        if (samples.Count == 0) throw new ArgumentException("no training samples");
        torch.manual_seed(options.Seed);
        var network = GuideStart.Widen(options.Network, guide);
        network.to(device);
        guide.to(device);
        guide.eval();
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
        using var validation = heldOut.Count > 0 ? new RefineValidation(guide, heldOut, options, device, scribbles) : null;
        ValidationGuideIou = validation?.GuideIou;
        var pool = new ScribbleSequence?[options.BatchSize];
        int size = options.CropSize;
        try
        {
            for (int it = start; it < options.Iterations; it++)
            {
                ct.ThrowIfCancellationRequested();
                schedule.StartIteration(it);
                using var scope = NewDisposeScope();
                var rng = new Random(unchecked(options.Seed * 1_000_003 + it));
                for (int i = 0; i < pool.Length; i++)
                    if (pool[i] is null or { Finished: true })
                    {
                        // The first sessions are cut short by slot, so the slots keep out of step and every batch mixes early and late rounds.
                        int limit = pool[i] is null ? Math.Max(1, options.Rounds - i * options.Rounds / pool.Length) : options.Rounds;
                        pool[i]?.Dispose();
                        pool[i] = StartSession(samples, guide, scribbles, rng, limit);
                    }
                var images = cat(pool.Select(s => s!.Image).ToList(), 0).to(device);
                var probability = cat(pool.Select(s => s!.Probability).ToList(), 0).to(device);
                var targets = TrainingCrops.Targets(pool.Select(s => s!.Mask), size).to(device);
                double meanRound = pool.Average(s => s!.Rounds);

                network.train();
                optimizer.zero_grad();
                var logits = network.forward(images, Guidance(probability, pool.Select(s => s!.Labels).ToArray(), size, size));
                var loss = nn.functional.binary_cross_entropy_with_logits(logits, targets);
                loss.backward();
                optimizer.step();
                NextRound(pool, Masks(logits.detach()), scribbles);

                smoothed.Add(loss.item<float>());
                int done = it + 1;
                Curve.Loss.Add((done, smoothed.Value));
                double? iou = null;
                if (validation is not null && (done % Math.Max(1, options.ValidationEvery) == 0 || done == options.Iterations))
                {
                    iou = validation.MeanIou(network, this);
                    Curve.Validation.Add((done, iou.Value));
                }
                string? checkpoint = null;
                if (options is { CheckpointEvery: > 0, CheckpointFolder: { } folder } && done % options.CheckpointEvery == 0 && done < options.Iterations)
                    checkpoint = TrainingCheckpoint.Save(folder, done, network, optimizer, smoothed.Value, Curve, TrainingSeconds);
                var remaining = sw.Elapsed / (done - start) * (options.Iterations - done);
                progress?.Report(new Progress(done, options.Iterations, smoothed.Value, sw.Elapsed) { ValidationIou = iou, Checkpoint = checkpoint, Remaining = remaining, MeanRound = meanRound });
            }
        }
        finally
        {
            foreach (var s in pool) s?.Dispose();
        }
        network.eval();
        return network;
    }

    /// <summary>A new simulated session: a boundary crop, GuideNet's probability on it and the first scribble on GuideNet's errors.</summary>
    private ScribbleSequence StartSession(IReadOnlyList<TrainingSample> samples, ClickNetwork guide, CorrectionScribbles scribbles, Random rng, int limit)
    {
        using var scope = NewDisposeScope();
        var (image, mask) = BoundaryCrop(samples, rng);
        Tensor probability;
        using (no_grad()) probability = sigmoid(guide.forward(image.to(device), null)).cpu();
        var session = new ScribbleSequence(image.cpu().MoveToOuterDisposeScope(), mask, probability.MoveToOuterDisposeScope(), limit);
        SessionsStarted++;
        if (!AddScribbles(scribbles, Masks(probability)[0], session.Mask, session.Labels, options.CropSize, options.CropSize)) { session.Finished = true; SessionsSolved++; }
        session.Rounds = 1;
        return session;
    }

    /// <summary>Each live session's next scribble on the network's answer; a session ends when its rounds are spent or nothing is left to correct.</summary>
    private void NextRound(ScribbleSequence?[] pool, byte[][] predictions, CorrectionScribbles scribbles)
    {
        for (int i = 0; i < pool.Length; i++)
        {
            var s = pool[i]!;
            if (s.Finished) continue;
            if (s.Rounds >= s.Limit) { s.Finished = true; continue; }
            if (!AddScribbles(scribbles, predictions[i], s.Mask, s.Labels, options.CropSize, options.CropSize)) { s.Finished = true; SessionsSolved++; continue; }
            s.Rounds++;
        }
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

    /// <summary>Per batch item the thresholded answer (logits ≥ 0 or probability ≥ 0.5 alike: 1 = object).</summary>
    internal static byte[][] Masks(Tensor probabilityOrLogits, bool logits = true)
    {
        var cpu = probabilityOrLogits.cpu();
        float cut = logits ? 0f : 0.5f;
        return Enumerable.Range(0, (int)cpu.shape[0]).Select(i => cpu[i, 0].contiguous().data<float>().Select(p => p >= cut ? (byte)1 : (byte)0).ToArray()).ToArray();
    }

    private static byte[][] Masks(Tensor probability) => Masks(probability, logits: false);

    /// <summary>Adds one round of correction scribbles to <paramref name="labels"/> (later strokes win); false when nothing was left to correct.</summary>
    internal static bool AddScribbles(CorrectionScribbles scribbles, byte[] prediction, byte[] truth, byte[] labels, int width, int height)
    {
        var added = scribbles(prediction, truth, labels, width, height);
        if (added is null) return false;
        for (int p = 0; p < added.Length; p++) if (added[p] != 0) labels[p] = added[p];
        return true;
    }

    /// <summary>The guidance tensor for a batch of width×height items: the probability and, when the inputs read them, the seed maps of each item's labels.</summary>
    internal Tensor? Guidance(Tensor probability, byte[][] labels, int width, int height)
    {
        Tensor? seeds = null;
        if (Inputs is "I+P+S" or "I+P+D")
        {
            var maps = labels.Select(l => ScribbleGuidance.SeedChannels(Inputs, [new LabelImage(l, width, height)], width, height, options.DistanceCap)!.Value)
                .Select(m => tensor(m.Foreground.Concat(m.Background).ToArray(), [1, 2, height, width])).ToList();
            seeds = cat(maps, 0).to(device);
        }
        return ScribbleGuidance.Stack(Inputs, probability, seeds);
    }
}
