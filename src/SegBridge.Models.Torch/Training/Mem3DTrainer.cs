using System.Diagnostics;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Volumes;
using SegBridge.Models.Torch.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>A training volume: the image and its object mask per slice (0/1, slice-major).</summary>
public sealed record Mem3DTrainingCase(string Name, Volume Image, byte[][] Truth);

public sealed record Mem3DTrainingOptions
{
    public Mem3DConfig Network { get; init; } = new();
    public int InteractionIterations { get; init; } = 600;
    public int InteractionBatch { get; init; } = 8;
    public int MemoryIterations { get; init; } = 400;
    /// <summary>Sequences of <see cref="SequenceLength"/> slices per f_Mem batch.</summary>
    public int MemoryBatch { get; init; } = 4;
    public int SequenceLength { get; init; } = 5;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>A slice counts as holding the object when it has at least this many object pixels.</summary>
    public int MinObjectPixels { get; init; } = 30;
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Trains Mem3D in two stages (paper §2.3). f_In: slices holding the object, guidance simulated from the ground
/// truth (a scribble = the Zhang–Suen skeleton of the object, a box = its bounding box with each side jittered by
/// up to 10 %, extreme points = its four extreme pixels jittered by up to 2 px), the ROI of
/// <see cref="Guidance"/>, previous mask 0.5 everywhere (half the samples) or the ground truth shifted by up to
/// 10 % of the ROI (the other half), binary cross-entropy. f_Mem + f_QA: sequences of 5 consecutive slices in a
/// random direction starting on an object slice; the first slice enters the memory with its true mask, then
/// each slice is segmented from the memory and added to it with its (detached) predicted probability, step by
/// step; loss = BCE + soft Dice on S_k (the object is a few % of a slice: BCE alone under-segments, and the
/// shrinkage compounds slice after slice) + MSE between f_QA's output and the true IoU of the thresholded S_k (1 when both
/// masks are empty). Adam, the seed fixes sampling and initial weights.
/// </summary>
public sealed class Mem3DTrainer(Mem3DTrainingOptions options, Device device)
{
    public sealed record Progress(string Stage, int Iteration, int Total, double Loss, double QualityError, TimeSpan Elapsed);

    private sealed record Prepared(string Name, Tensor Slices, Tensor Truth, Tensor SmallSlices, Tensor SmallTruth, int[] ObjectSlices, byte[][] TruthBytes, int Width, int Height);

    public Mem3DNetwork Train(IReadOnlyList<Mem3DTrainingCase> cases, IProgress<Progress>? progress, CancellationToken ct)
    {
        if (cases.Count == 0) throw new ArgumentException("no training volumes");
        torch.manual_seed(options.Seed);
        var rng = new Random(options.Seed);
        var data = cases.Select(Prepare).ToList();
        if (data.All(d => d.ObjectSlices.Length == 0)) throw new ArgumentException("no training slice holds the object");
        var network = new Mem3DNetwork(options.Network);
        network.to(device);
        network.train();
        var sw = Stopwatch.StartNew();
        TrainInteraction(network, data, rng, sw, progress, ct);
        TrainMemory(network, data, rng, sw, progress, ct);
        network.eval();
        return network;
    }

    private Prepared Prepare(Mem3DTrainingCase c)
    {
        int w = c.Image.Width, h = c.Image.Height, d = c.Image.Depth, s = options.Network.SliceSize;
        var slices = stack(Enumerable.Range(0, d).Select(z => VolumeSlices.Normalised(c.Image, z)).ToList(), 0);
        var truth = stack(c.Truth.Select(t => Guidance.Plane(t, w, h)).ToList(), 0);
        var small = nn.functional.interpolate(slices.unsqueeze(1), [s, s], mode: InterpolationMode.Bilinear, align_corners: false);
        var smallTruth = nn.functional.interpolate(truth.unsqueeze(1), [s, s], mode: InterpolationMode.Bilinear, align_corners: false).gt(0.5).to_type(ScalarType.Float32);
        var objects = Enumerable.Range(0, d).Where(z => c.Truth[z].Count(v => v != 0) >= options.MinObjectPixels).ToArray();
        return new Prepared(c.Name, slices, truth, small, smallTruth, objects, c.Truth, w, h);
    }

    private void TrainInteraction(Mem3DNetwork network, List<Prepared> data, Random rng, Stopwatch sw, IProgress<Progress>? progress, CancellationToken ct)
    {
        var optimizer = optim.Adam(network.f_in.parameters(), options.LearningRate);
        var smoothed = new RunningLoss(0.95);
        int r = options.Network.RoiSize;
        for (int it = 0; it < options.InteractionIterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var inputs = new List<Tensor>();
            var targets = new List<Tensor>();
            for (int b = 0; b < options.InteractionBatch; b++)
            {
                var p = PickCase(data, rng);
                int z = p.ObjectSlices[rng.Next(p.ObjectSlices.Length)];
                var (input, target) = InteractionSample(p, z, (GuidanceKind)rng.Next(3), rng, r);
                inputs.Add(input); targets.Add(target);
            }
            optimizer.zero_grad();
            var batchInput = cat(inputs, 0).to(device);
            var logits = network.Interact(batchInput);
            var loss = nn.functional.binary_cross_entropy_with_logits(logits, cat(targets, 0).to(device));
            loss.backward();
            optimizer.step();
            smoothed.Add(loss.item<float>());
            progress?.Report(new("f_In", it + 1, options.InteractionIterations, smoothed.Value, double.NaN, sw.Elapsed));
        }
    }

    /// <summary>1 − soft Dice per sample (smoothed by 1, so an empty truth with an empty prediction costs nothing), averaged.</summary>
    private static Tensor SoftDiceLoss(Tensor logits, Tensor truth)
    {
        var p = sigmoid(logits);
        var dice = ((p * truth).sum([1, 2, 3]) * 2 + 1) / (p.sum([1, 2, 3]) + truth.sum([1, 2, 3]) + 1);
        return (1 - dice).mean();
    }

    private static Prepared PickCase(List<Prepared> data, Random rng)
    {
        var usable = data.Where(d => d.ObjectSlices.Length > 0).ToList();
        return usable[rng.Next(usable.Count)];
    }

    /// <summary>One f_In sample: (1,3,R,R) input and (1,1,R,R) target.</summary>
    private static (Tensor Input, Tensor Target) InteractionSample(Prepared p, int z, GuidanceKind kind, Random rng, int size)
    {
        int w = p.Width, h = p.Height;
        var truth = p.TruthBytes[z];
        var bounds = Guidance.Bounds(truth, w, h)!.Value;
        byte[] guide;
        Roi input;
        switch (kind)
        {
            case GuidanceKind.Box:
                int jx = Math.Max(1, bounds.Width / 10), jy = Math.Max(1, bounds.Height / 10);
                input = new Roi(Math.Clamp(bounds.X0 + rng.Next(-jx, jx + 1), 0, w - 1), Math.Clamp(bounds.Y0 + rng.Next(-jy, jy + 1), 0, h - 1),
                    Math.Clamp(bounds.X1 + rng.Next(-jx, jx + 1), 1, w), Math.Clamp(bounds.Y1 + rng.Next(-jy, jy + 1), 1, h));
                if (input.X1 <= input.X0 || input.Y1 <= input.Y0) input = bounds;
                guide = Guidance.BoxOutline(input, w, h);
                break;
            case GuidanceKind.ExtremePoints:
                var points = Guidance.ExtremePoints(truth, w, h, rng, 2)!;
                input = new Roi((int)Math.Floor(points.Min(q => q.X)), (int)Math.Floor(points.Min(q => q.Y)), (int)Math.Ceiling(points.Max(q => q.X)), (int)Math.Ceiling(points.Max(q => q.Y)));
                guide = Guidance.Disks(points, w, h);
                break;
            default:
                guide = Skeleton.Thin(truth, w, h);
                input = Guidance.Bounds(guide, w, h) ?? bounds;
                break;
        }
        var roi = Guidance.Enlarge10(input, kind, w, h);
        var slice = p.Slices[z];
        var truthPlane = p.Truth[z];
        Tensor previous;
        if (rng.NextDouble() < 0.5) previous = full(new long[] { h, w }, 0.5f);
        else
        {
            int sx = (int)Math.Round((rng.NextDouble() * 2 - 1) * 0.1 * roi.Width), sy = (int)Math.Round((rng.NextDouble() * 2 - 1) * 0.1 * roi.Height);
            previous = truthPlane.roll([sy, sx], [0, 1]) * 0.8 + 0.1;
        }
        var x = Guidance.Input(slice, previous, Guidance.Plane(guide, w, h), roi, size);
        var target = Guidance.Crop(truthPlane, roi, size).gt(0.5).to_type(ScalarType.Float32);
        if (rng.Next(2) == 0) { x = x.flip(3); target = target.flip(3); }
        return (x, target);
    }

    private void TrainMemory(Mem3DNetwork network, List<Prepared> data, Random rng, Stopwatch sw, IProgress<Progress>? progress, CancellationToken ct)
    {
        var parameters = network.named_parameters().Where(np => !np.name.StartsWith("f_in.")).Select(np => np.parameter).ToList();
        var optimizer = optim.Adam(parameters, options.LearningRate);
        RunningLoss smoothed = new(0.95), qaError = new(0.95);
        int length = options.SequenceLength;
        for (int it = 0; it < options.MemoryIterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var slices = new List<Tensor>[length];
            var truths = new List<Tensor>[length];
            for (int t = 0; t < length; t++) { slices[t] = []; truths[t] = []; }
            for (int b = 0; b < options.MemoryBatch; b++)
            {
                var p = PickCase(data, rng);
                int z0 = p.ObjectSlices[rng.Next(p.ObjectSlices.Length)], step = rng.Next(2) == 0 ? 1 : -1;
                int depth = (int)p.SmallSlices.shape[0];
                bool flip = rng.Next(2) == 0;
                for (int t = 0; t < length; t++)
                {
                    int z = Math.Clamp(z0 + t * step, 0, depth - 1);
                    var s = p.SmallSlices[z].unsqueeze(0);
                    var g = p.SmallTruth[z].unsqueeze(0);
                    slices[t].Add(flip ? s.flip(3) : s);
                    truths[t].Add(flip ? g.flip(3) : g);
                }
            }
            var x = slices.Select(l => cat(l, 0).to(device)).ToArray();
            var y = truths.Select(l => cat(l, 0).to(device)).ToArray();
            optimizer.zero_grad();
            var memory = new List<Mem3DNetwork.MemoryCell> { network.Memorize(x[0], y[0]) };
            Tensor loss = zeros(1, device: device);
            double qa = 0;
            for (int t = 1; t < length; t++)
            {
                var (logits, quality) = network.Segment(x[t], memory);
                Tensor iou;
                using (no_grad())
                {
                    var predicted = logits.gt(0).to_type(ScalarType.Float32);
                    var inter = (predicted * y[t]).sum([1, 2, 3]);
                    var union = (predicted + y[t]).clamp(0, 1).sum([1, 2, 3]);
                    iou = where(union.gt(0), inter / union.clamp_min(1), ones_like(union));
                }
                var qaLoss = nn.functional.mse_loss(quality, iou);
                loss = loss + nn.functional.binary_cross_entropy_with_logits(logits, y[t]) + SoftDiceLoss(logits, y[t]) + qaLoss;
                qa += Math.Sqrt(qaLoss.item<float>());
                memory.Add(network.Memorize(x[t], sigmoid(logits).detach()));
            }
            loss = loss / (length - 1);
            loss.backward();
            optimizer.step();
            smoothed.Add(loss.item<float>());
            qaError.Add(qa / (length - 1));
            progress?.Report(new("f_Mem+f_QA", it + 1, options.MemoryIterations, smoothed.Value, qaError.Value, sw.Elapsed));
        }
    }
}
