using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// f_In in a slice session. Interactions are replayed in order, each round feeding f_In the previous round's
/// probability (before the first: the slice's prior mask when the caller gives one, e.g. its propagated mask,
/// else 0.5 everywhere): a positive scribble (or the foreground pixels of a label
/// image) is a scribble, a box is a box, extreme points are extreme points, and so is a run of consecutive
/// positive clicks, for viewers that only send clicks (each new click of the run recomputes the round with all
/// the run's points). Outside the ROI the previous
/// probability stays (0 in the first round). Negative scribbles, clicks and label pixels set the probability
/// to 0 where they lie (f_In is trained on positive guidance only).
/// </summary>
public sealed class SliceInteraction(Mem3DNetwork network, Device device)
{
    /// <param name="prior">The slice's previous mask (probability, slice-sized) for the first round; null: 0.5 everywhere.</param>
    public (float[] Probability, string Notes) Run(ImageRaster image, IReadOnlyList<Interaction> interactions, float[]? prior = null)
    {
        if (image.Channels != 1) throw new ArgumentException($"Mem3D reads grey volume slices; this image has {image.Channels} channels");
        int w = image.Width, h = image.Height;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var slice = tensor(image.Pixels.Select(p => p / 255f).ToArray(), [h, w]);
        if (prior is not null && prior.Length != w * h) throw new ArgumentException($"the prior mask has {prior.Length} values; the slice has {w * h}");
        var probability = prior is null ? full(new long[] { h, w }, Scalars.Of(0.5f)) : tensor(prior, [h, w]);
        var beforeRun = probability;
        bool first = prior is null, firstBeforeRun = first;
        var points = new List<(double X, double Y)>();
        int rounds = 0;
        foreach (var interaction in interactions)
        {
            byte[]? negative = null;
            (GuidanceKind Kind, byte[] Guide, Roi Box)? round = null;
            switch (interaction)
            {
                case Click { Positive: true } c:
                    if (points.Count == 0) (beforeRun, firstBeforeRun) = (probability, first);
                    points.Add((c.X, c.Y));
                    round = ExtremePointsRound(points, w, h);
                    (probability, first) = (beforeRun, firstBeforeRun);
                    break;
                case ExtremePoints e:
                    round = ExtremePointsRound(e.Points.Select(p => (p.X, p.Y)).ToList(), w, h);
                    break;
                case Box b:
                    var box = new Roi((int)Math.Floor(Math.Max(0, b.X0)), (int)Math.Floor(Math.Max(0, b.Y0)), (int)Math.Ceiling(Math.Min(w, b.X1)), (int)Math.Ceiling(Math.Min(h, b.Y1)));
                    if (box.Width > 0 && box.Height > 0) round = (GuidanceKind.Box, Guidance.BoxOutline(box, w, h), box);
                    break;
                case Scribble { Positive: true } or LabelImage:
                    var seeds = SeedRasterizer.Rasterize([interaction], w, h).Labels;
                    var fg = seeds.Select(s => s == 1 ? (byte)1 : (byte)0).ToArray();
                    if (Guidance.Bounds(fg, w, h) is { } sb) round = (GuidanceKind.Scribble, fg, sb);
                    if (seeds.Any(s => s == 2)) negative = seeds.Select(s => s == 2 ? (byte)1 : (byte)0).ToArray();
                    break;
                default:
                    negative = SeedRasterizer.Rasterize([interaction], w, h).Labels.Select(s => s == 2 ? (byte)1 : (byte)0).ToArray();
                    break;
            }
            if (interaction is not Click { Positive: true }) points.Clear();
            if (round is { } r)
            {
                var roi = Guidance.Enlarge10(r.Box, r.Kind, w, h);
                var input = Guidance.Input(slice, probability, Guidance.Plane(r.Guide, w, h), roi, network.Config.RoiSize).to(device);
                var output = sigmoid(network.Interact(input)).cpu();
                var onto = first ? zeros(h, w) : probability;
                probability = Guidance.Paste(output, onto, roi);
                first = false;
                rounds++;
            }
            if (negative is not null) probability = probability * Scalars.Of(1).Minus(Guidance.Plane(negative, w, h));
        }
        if (rounds == 0) probability = prior is null ? zeros(h, w) : probability;
        return (probability.contiguous().data<float>().ToArray(), $"Mem3D f_In, {rounds} round(s)");
    }

    /// <summary>Extreme-point guidance: a disk at each point, the ROI their bounding box (at least one pixel each way).</summary>
    private static (GuidanceKind, byte[], Roi) ExtremePointsRound(IReadOnlyList<(double X, double Y)> points, int w, int h)
    {
        var bounds = new Roi((int)Math.Floor(points.Min(p => p.X)), (int)Math.Floor(points.Min(p => p.Y)), (int)Math.Ceiling(points.Max(p => p.X)), (int)Math.Ceiling(points.Max(p => p.Y)));
        return (GuidanceKind.ExtremePoints, Guidance.Disks(points, w, h), bounds with { X1 = Math.Max(bounds.X1, bounds.X0 + 1), Y1 = Math.Max(bounds.Y1, bounds.Y0 + 1) });
    }
}
