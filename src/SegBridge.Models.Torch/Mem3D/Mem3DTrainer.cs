using System.Diagnostics;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>A training volume: the image and its object mask per slice (0/1, slice-major).</summary>
public sealed record Mem3DTrainingCase(string Name, Volume Image, byte[][] Truth);

/// <summary>Mem3D's options: three stages, each with its own iterations and batch.</summary>
public sealed record Mem3DTrainingOptions : TrainingOptions
{
    public Mem3DTrainingOptions() => LearningRate = 1e-3;

    public Mem3DConfig Network { get; init; } = new();
    public int InteractionIterations { get; init; } = 600;
    public int InteractionBatch { get; init; } = 8;
    public int MemoryIterations { get; init; } = 400;
    /// <summary>Sequences of <see cref="SequenceLength"/> slices per f_Mem batch.</summary>
    public int MemoryBatch { get; init; } = 4;
    public int SequenceLength { get; init; } = 5;
    /// <summary>A slice counts as holding the object when it has at least this many object pixels.</summary>
    public int MinObjectPixels { get; init; } = 30;
    /// <summary>Stage 3: whole-volume propagations f_QA is fitted on (0: no stage 3).</summary>
    public int QualityPropagations { get; init; } = 24;
    public int QualityIterations { get; init; } = 300;
    public int QualityBatch { get; init; } = 16;
    /// <summary>N of the memory policy in stage 3 (the manifest's memoryEvery).</summary>
    public int MemoryEvery { get; init; } = 5;
    /// <summary>The ImageNet ResNet-18 file f_Mem's encoders start from (the <see cref="Mem3DConfig.Backbone"/> imagenet-resnet18 layout); null: random initial weights.</summary>
    public string? PretrainedBackbone { get; init; }
}

/// <summary>
/// Trains Mem3D in stages (paper §2.3, plus f_QA's stage 3). f_In: slices holding the object, guidance simulated from the ground
/// truth (a scribble = the Zhang–Suen skeleton of the object, a box = its bounding box with each side jittered by
/// up to 10 %, extreme points = its four extreme pixels jittered by up to 2 px), the ROI of
/// <see cref="Guidance"/>, previous mask 0.5 everywhere (half the samples: a first round) or a degraded copy of the
/// truth that looks like a propagated mask (the other half; <see cref="DegradedPrior"/>), target the truth in the
/// ROI, binary cross-entropy. In later rounds f_In's previous mask is the slice's propagated mask, which is mostly
/// under-segmented, sometimes cut, holed, empty or carrying small false positives; an f_In that only saw the truth
/// shifted by ≤ 10 % trusted such a prior's outline and kept it (examples/mem3d/README.md). f_Mem + f_QA: sequences of 5 consecutive slices in a
/// random direction starting on an object slice; the first slice enters the memory with its true mask, then
/// each slice is segmented from the memory and added to it with its (detached) predicted probability, step by
/// step; loss = BCE + soft Dice on S_k (the object is a few % of a slice: BCE alone under-segments, and the
/// shrinkage compounds slice after slice) + MSE between f_QA's output and the true IoU of the thresholded S_k (1 when both
/// masks are empty). Stage 3 fits f_QA alone on whole propagations (<see cref="TrainQuality"/>); each stage draws
/// from its own seeded stream, so adding or changing a stage leaves the earlier ones bit-identical. Adam, the seed
/// fixes sampling and initial weights.
/// </summary>
public sealed partial class Mem3DTrainer(Mem3DTrainingOptions options, Device device)
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
        if (options.PretrainedBackbone is { } imagenet) network.StartFromImageNet(imagenet);
        network.to(device);
        network.train();
        var sw = Stopwatch.StartNew();
        TrainInteraction(network, data, rng, sw, progress, ct);
        TrainMemory(network, data, rng, sw, progress, ct);
        TrainQuality(network, data, sw, progress, ct);
        network.eval();
        return network;
    }

    private Prepared Prepare(Mem3DTrainingCase c)
    {
        int w = c.Image.Width, h = c.Image.Height, d = c.Image.Depth, s = options.Network.SliceSize;
        var slices = stack(Enumerable.Range(0, d).Select(z => VolumeSlices.Normalised(c.Image, z)).ToList(), 0);
        var truth = stack(c.Truth.Select(t => Guidance.Plane(t, w, h)).ToList(), 0);
        var small = nn.functional.interpolate(slices.unsqueeze(1), [s, s], mode: InterpolationMode.Bilinear, align_corners: false);
        var smallTruth = nn.functional.interpolate(truth.unsqueeze(1), [s, s], mode: InterpolationMode.Bilinear, align_corners: false).gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
        var objects = Enumerable.Range(0, d).Where(z => c.Truth[z].Count(v => v != 0) >= options.MinObjectPixels).ToArray();
        return new Prepared(c.Name, slices, truth, small, smallTruth, objects, c.Truth, w, h);
    }

    private void TrainInteraction(Mem3DNetwork network, List<Prepared> data, Random rng, Stopwatch sw, IProgress<Progress>? progress, CancellationToken ct)
    {
        var optimizer = optim.Adam(network.f_in.parameters(), options.LearningRate);
        var smoothed = new RunningLoss(0.95);
        int r = options.Network.RoiSize;
        // The degraded priors draw from their own stream: rng makes exactly the draws it made when the prior was
        // the shifted truth, so the slices, guidance and flips of f_In and everything f_Mem + f_QA sample
        // afterwards are the same as before, and a change to the prior changes f_In only (sharing one stream
        // retrained f_Mem on other sequences, and its Dice moved by more than the prior's effect).
        var priorRng = new Random(unchecked(options.Seed * 7919 + 1));
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
                var (input, target) = InteractionSample(p, z, (GuidanceKind)rng.Next(3), rng, priorRng, r);
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

    /// <summary>
    /// f_QA's target: the IoU of the thresholded S_k (logits &gt; 0) with the (N,1,S,S) 0/1 truth, per sample, 1 when
    /// both are empty; no gradient. Stages 2 and 3 both regress it.
    /// </summary>
    private static Tensor TrueIou(Tensor logits, Tensor truth)
    {
        using var _ = no_grad();
        var predicted = logits.gt(Scalars.Of(0)).to_type(ScalarType.Float32);
        var inter = (predicted * truth).sum([1, 2, 3]);
        var union = predicted.Plus(truth).clamp(Scalars.Of(0), Scalars.Of(1)).sum([1, 2, 3]);
        return where(union.gt(Scalars.Of(0)), inter / union.clamp_min(Scalars.Of(1)), ones_like(union));
    }

    /// <summary>1 − soft Dice per sample (smoothed by 1, so an empty truth with an empty prediction costs nothing), averaged.</summary>
    private static Tensor SoftDiceLoss(Tensor logits, Tensor truth)
    {
        var p = sigmoid(logits);
        Scalar one = Scalars.Of(1);
        var dice = ((p * truth).sum([1, 2, 3]) * Scalars.Of(2)).Plus(one) / p.sum([1, 2, 3]).Plus(truth.sum([1, 2, 3])).Plus(one);
        return one.Minus(dice).mean();
    }

    private static Prepared PickCase(List<Prepared> data, Random rng)
    {
        var usable = data.Where(d => d.ObjectSlices.Length > 0).ToList();
        return usable[rng.Next(usable.Count)];
    }

    /// <summary>One f_In sample: (1,3,R,R) input and (1,1,R,R) target.</summary>
    private static (Tensor Input, Tensor Target) InteractionSample(Prepared p, int z, GuidanceKind kind, Random rng, Random priorRng, int size)
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
        var x = Guidance.Input(slice, full(new long[] { h, w }, Scalars.Of(0.5f)), Guidance.Plane(guide, w, h), roi, size);
        var truthCrop = Guidance.Crop(truthPlane, roi, size);
        var target = truthCrop.gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
        if (rng.NextDouble() >= 0.5)
        {
            double shiftX = rng.NextDouble(), shiftY = rng.NextDouble(); // the old prior's two shift draws, still on rng
            x = cat([x.narrow(1, 0, 1), DegradedPrior(truthCrop, priorRng, size, (shiftX, shiftY)), x.narrow(1, 2, 1)], 1);
        }
        if (rng.Next(2) == 0) { x = x.flip(3); target = target.flip(3); }
        return (x, target);
    }

    /// <summary>
    /// A previous mask for f_In that looks like a propagated one, built on the ROI crop of the truth (1,1,R,R; the
    /// bilinear crop, so its edge is already soft as at inference). Each step is drawn independently:
    /// <list type="bullet">
    /// <item>10 %: empty (propagation lost the object), else the truth;</item>
    /// <item>50 %: shifted by up to 10 % of the ROI per axis (the old prior; wraps, the object sits mid-ROI; the
    /// shift's two uniform draws are <paramref name="shift"/> when given);</item>
    /// <item>70 %: grey-scale erosion (2/3, radius 1–16 px of R = 96, i.e. up to a third of the ROI's width lost:
    /// propagation mostly under-segments; oracle slices had IoU 0.3–0.6) or dilation (1/3, radius 1–8 px), by a
    /// square max-pool;</item>
    /// <item>25 %: cut by a half-plane through a random point of the ROI's centre half, random angle (part missing);</item>
    /// <item>25 %: 1–3 holes, disks of radius 4–15 px centred in the ROI's central 60 %;</item>
    /// <item>30 %: 1–3 false-positive blobs, disks of radius 2–6 px anywhere in the ROI;</item>
    /// <item>50 %: soft: box-blurred (kernel 3, 5 or 7) and scaled by a confidence in [0.5, 1] (a probability map);</item>
    /// <item>then 50 % mapped to 0.1 + 0.8 m (what <c>eval --slice-prior</c> passes for a binary propagated mask),
    /// else left in [0, 1] (a client's raw probabilities).</item>
    /// </list>
    /// Every draw comes from <paramref name="rng"/> (or <paramref name="shift"/>) and the tensor ops are deterministic, so a seed fixes the priors.
    /// </summary>
    public static Tensor DegradedPrior(Tensor truthCrop, Random rng, int size, (double X, double Y)? shift = null)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var m = rng.NextDouble() < 0.1 ? zeros_like(truthCrop) : truthCrop.clone();
        var (ux, uy) = shift ?? (rng.NextDouble(), rng.NextDouble());
        if (rng.NextDouble() < 0.5)
        {
            int sx = (int)Math.Round((ux * 2 - 1) * 0.1 * size), sy = (int)Math.Round((uy * 2 - 1) * 0.1 * size);
            m = m.roll([sy, sx], [2, 3]);
        }
        if (rng.NextDouble() < 0.7)
        {
            bool erode = rng.NextDouble() < 2.0 / 3;
            int radius = erode ? rng.Next(1, 17) : rng.Next(1, 9);
            m = erode ? -MaxPool(-m, radius) : MaxPool(m, radius);
        }
        var ys = SafeTensorMath.Range(size, ScalarType.Float32).view(1, 1, size, 1).Plus(Scalars.Of(0.5f));
        var xs = SafeTensorMath.Range(size, ScalarType.Float32).view(1, 1, 1, size).Plus(Scalars.Of(0.5f));
        Tensor Disk(double cx, double cy, double r) => (xs - held.Of(cx)).Squared().Plus((ys - held.Of(cy)).Squared()).le(held.Of(r * r)).to_type(ScalarType.Float32);
        if (rng.NextDouble() < 0.25)
        {
            double cx = size * (0.25 + 0.5 * rng.NextDouble()), cy = size * (0.25 + 0.5 * rng.NextDouble()), angle = rng.NextDouble() * 2 * Math.PI;
            m = m * ((xs - held.Of(cx)) * held.Of(Math.Cos(angle))).Plus((ys - held.Of(cy)) * held.Of(Math.Sin(angle))).le(Scalars.Of(0)).to_type(ScalarType.Float32);
        }
        if (rng.NextDouble() < 0.25)
            for (int n = rng.Next(1, 4); n > 0; n--)
                m = m * Scalars.Of(1).Minus(Disk(size * (0.2 + 0.6 * rng.NextDouble()), size * (0.2 + 0.6 * rng.NextDouble()), rng.Next(4, 16)));
        if (rng.NextDouble() < 0.3)
            for (int n = rng.Next(1, 4); n > 0; n--)
                m = maximum(m, Disk(size * rng.NextDouble(), size * rng.NextDouble(), rng.Next(2, 7)));
        if (rng.NextDouble() < 0.5)
        {
            int k = 3 + 2 * rng.Next(3);
            m = nn.functional.avg_pool2d(m, [k, k], [1, 1], [k / 2, k / 2], count_include_pad: false) * held.Of(0.5 + 0.5 * rng.NextDouble());
        }
        m = m.clamp(Scalars.Of(0), Scalars.Of(1));
        if (rng.NextDouble() < 0.5) m = (m * Scalars.Of(0.8)).Plus(Scalars.Of(0.1));
        return m.MoveToOuterDisposeScope();
    }

    /// <summary>Grey-scale dilation of (1,1,R,R) by a (2r+1)² square, as two separable max-pools.</summary>
    private static Tensor MaxPool(Tensor m, int radius)
    {
        int k = 2 * radius + 1;
        var rows = nn.functional.max_pool2d(m, [1, k], [1, 1], [0, radius]);
        return nn.functional.max_pool2d(rows, [k, 1], [1, 1], [radius, 0]);
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
                var iou = TrueIou(logits, y[t]);
                var qaLoss = nn.functional.mse_loss(quality, iou);
                loss = loss.Plus(nn.functional.binary_cross_entropy_with_logits(logits, y[t])).Plus(SoftDiceLoss(logits, y[t])).Plus(qaLoss);
                qa += Math.Sqrt(qaLoss.item<float>());
                memory.Add(network.Memorize(x[t], sigmoid(logits).detach()));
            }
            loss = loss / Scalars.Of(length - 1);
            loss.backward();
            optimizer.step();
            smoothed.Add(loss.item<float>());
            qaError.Add(qa / (length - 1));
            progress?.Report(new("f_Mem+f_QA", it + 1, options.MemoryIterations, smoothed.Value, qaError.Value, sw.Elapsed));
        }
    }
}
