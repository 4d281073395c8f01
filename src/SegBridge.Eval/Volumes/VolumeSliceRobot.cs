using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;

namespace SegBridge.Eval.Volumes;

/// <summary>
/// What volume evaluation's user does on a chosen slice, from that slice's ground truth: a box around the object,
/// its four extreme points, or a scribble along its skeleton, turned into the slice mask by the slice model; a
/// slice without the object gets an empty mask (the user clears it).
/// </summary>
public sealed class VolumeSliceRobot(ISegmentationModel sliceModel)
{
    public static readonly string[] Interactions = ["box", "extreme", "scribble"];

    /// <param name="prior">The slice model's prior for this slice (<see cref="VolumeRounds.Prior"/>), or null for
    /// 0.5 everywhere.</param>
    public Mask Interact(Volume volume, int z, byte[] truth, string kind, float[]? prior, CancellationToken ct)
    {
        int w = volume.Width, h = volume.Height;
        if (Array.IndexOf(truth, (byte)1) < 0) return new Mask(w, h);
        IReadOnlyList<Interaction> interactions;
        switch (kind)
        {
            case "box":
                var (x0, y0, x1, y1) = Bounds(truth, w, h);
                interactions = [new Box(x0, y0, x1, y1)];
                break;
            case "extreme":
                interactions = [new ExtremePoints(Extremes(truth, w, h).Select(p => new PointD(p.X + 0.5, p.Y + 0.5)).ToArray())];
                break;
            case "scribble":
                interactions = [new LabelImage(Skeleton.Thin(truth, w, h), w, h)];
                break;
            default:
                throw new ArgumentException($"volume interaction '{kind}'; allowed: {string.Join(", ", Interactions)}");
        }
        return sliceModel.Segment(volume.SliceAsRaster(z), interactions, new ModelSessionState { SlicePrior = prior }, ct).Mask;
    }

    private static (int X0, int Y0, int X1, int Y1) Bounds(byte[] m, int w, int h)
    {
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int i = 0; i < m.Length; i++)
            if (m[i] != 0) { int x = i % w, y = i / w; x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x + 1); y1 = Math.Max(y1, y + 1); }
        return (x0, y0, x1, y1);
    }

    /// <summary>The mask's left-, right-, top- and bottom-most pixels (the first found of each), what a user clicks as extreme points.</summary>
    public static (int X, int Y)[] Extremes(byte[] m, int w, int h)
    {
        var pts = Enumerable.Range(0, m.Length).Where(i => m[i] != 0).Select(i => (X: i % w, Y: i / w)).ToList();
        return [pts.MinBy(p => p.X), pts.MaxBy(p => p.X), pts.MinBy(p => p.Y), pts.MaxBy(p => p.Y)];
    }
}
