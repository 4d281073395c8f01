using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval.Robots;

/// <summary>
/// The automatic scribble of DeepScribble (§2.2.3). For each false-negative and false-positive region
/// (8-connected; ignored truth pixels and pixels already scribbled excluded), threshold its padded
/// exact distance map at <see cref="Threshold"/> × the region's largest distance, skeletonise what is
/// left (Zhang–Suen), and scribble the skeleton with the opposite of the predicted label (positive
/// on a false negative, negative on a false positive). All scribbles of one interaction together
/// cover at most <see cref="Share"/> of the image's pixels (default 0.05 %, at least one pixel):
/// regions are served largest first, and a region's scribble is the connected stretch of its skeleton
/// grown breadth-first from its deepest skeleton pixel (on ties the one nearest the tied pixels' centroid, then
/// the first in raster order) until the
/// budget is spent. The interaction is a <see cref="LabelImage"/> holding only the new scribble
/// pixels (1 foreground, 2 background), so it adds seeds without erasing earlier ones.
/// </summary>
public sealed class ScribbleRobot(double share = ScribbleRobot.DefaultShare, double threshold = ScribbleRobot.DefaultThreshold)
{
    public const double DefaultShare = 0.0005;
    public const double DefaultThreshold = 0.5;

    public double Share { get; } = share > 0 && share <= 1 ? share : throw new ArgumentOutOfRangeException(nameof(share), $"scribble share {share} must be in (0, 1]");
    public double Threshold { get; } = threshold >= 0 && threshold < 1 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold), $"threshold {threshold} must be in [0, 1)");

    private byte[]? _labelled;

    /// <summary>Pixels scribbled so far (1 foreground, 2 background), or null before the first scribble.</summary>
    public byte[]? Labelled => _labelled;

    /// <summary>The next scribble interaction, or null when no unscribbled error pixel is left.</summary>
    public LabelImage? Next(Mask prediction, GroundTruth truth)
    {
        int w = truth.Width, h = truth.Height;
        _labelled ??= new byte[w * h];
        var labels = Propose(prediction, truth, _labelled, Share, Threshold);
        if (labels is null) return null;
        for (int i = 0; i < labels.Length; i++) if (labels[i] != 0) _labelled[i] = labels[i];
        return new LabelImage(labels, w, h);
    }

    /// <summary>The new scribble pixels (1/2, 0 elsewhere) or null when there is nothing to correct; pure.</summary>
    public static byte[]? Propose(Mask prediction, GroundTruth truth, byte[]? alreadyLabelled, double share = DefaultShare, double threshold = DefaultThreshold)
    {
        int w = truth.Width, h = truth.Height;
        var (fn, fp) = ErrorRegions.Compute(prediction, truth, alreadyLabelled);
        var regions = new List<Region>();
        Collect(fn, w, h, SeedMap.Foreground, regions);
        Collect(fp, w, h, SeedMap.Background, regions);
        if (regions.Count == 0) return null;
        regions.Sort((a, b) => a.Pixels.Count != b.Pixels.Count ? b.Pixels.Count.CompareTo(a.Pixels.Count) : a.Pixels[0].CompareTo(b.Pixels[0]));

        int budget = Math.Max(1, (int)Math.Round(share * w * h));
        var output = new byte[w * h];
        foreach (var region in regions)
        {
            if (budget <= 0) break;
            var stroke = Stroke(region, w, threshold, budget);
            foreach (var p in stroke) output[p] = region.Label;
            budget -= stroke.Count;
        }
        return output;
    }

    private sealed record Region(byte Label, List<int> Pixels, float[] Distance);

    private static void Collect(byte[] error, int w, int h, byte label, List<Region> regions)
    {
        if (Array.IndexOf(error, (byte)1) < 0) return;
        var dt = DistanceTransform.InsideDistance(new Mask(w, h, error), padBorder: true);
        var comp = ErrorRegions.Components8(error, w, h, out int count);
        var pixels = new List<int>[count];
        for (int i = 0; i < count; i++) pixels[i] = [];
        for (int i = 0; i < comp.Length; i++) if (comp[i] != 0) pixels[comp[i] - 1].Add(i);
        foreach (var p in pixels) regions.Add(new Region(label, p, dt));
    }

    /// <summary>The skeleton of the thresholded region, cut to a connected stretch of at most <paramref name="budget"/> pixels.</summary>
    private static List<int> Stroke(Region region, int w, double threshold, int budget)
    {
        var dt = region.Distance;
        float max = 0;
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        foreach (var p in region.Pixels)
        {
            max = Math.Max(max, dt[p]);
            int x = p % w, y = p / w;
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        // Work in the region's bounding box: thinning is iterative, and boxes are small.
        int bw = maxX - minX + 1, bh = maxY - minY + 1;
        var core = new byte[bw * bh];
        double cut = threshold * max;
        foreach (var p in region.Pixels)
            if (dt[p] >= cut) core[(p / w - minY) * bw + (p % w - minX)] = 1;
        var skeleton = Skeleton.Thin(core, bw, bh);

        // Deepest skeleton pixel; among equally deep ones, the one nearest their centroid (so a stroke on
        // a long, even region is centred), then the first in raster order.
        float best = -1;
        var deepest = new List<int>();
        for (int by = 0; by < bh; by++)
            for (int bx = 0; bx < bw; bx++)
            {
                if (skeleton[by * bw + bx] == 0) continue;
                float d = dt[(by + minY) * w + bx + minX];
                if (d > best) { best = d; deepest.Clear(); }
                if (d == best) deepest.Add(by * bw + bx);
            }
        int start = -1;
        if (deepest.Count > 0)
        {
            double cx = deepest.Average(i => i % bw), cy = deepest.Average(i => i / bw), bestD2 = double.MaxValue;
            foreach (var i in deepest)
            {
                double d2 = (i % bw - cx) * (i % bw - cx) + (i / bw - cy) * (i / bw - cy);
                if (d2 < bestD2 - 1e-9) { bestD2 = d2; start = i; }
            }
        }
        var stroke = new List<int>();
        if (start < 0) return stroke;
        var seen = new bool[bw * bh];
        var queue = new Queue<int>();
        queue.Enqueue(start);
        seen[start] = true;
        while (queue.Count > 0 && stroke.Count < budget)
        {
            int q = queue.Dequeue(), qx = q % bw, qy = q / bw;
            stroke.Add((qy + minY) * w + qx + minX);
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = qx + dx, ny = qy + dy;
                    if (nx < 0 || ny < 0 || nx >= bw || ny >= bh) continue;
                    int n = ny * bw + nx;
                    if (seen[n] || skeleton[n] == 0) continue;
                    seen[n] = true;
                    queue.Enqueue(n);
                }
        }
        return stroke;
    }
}
