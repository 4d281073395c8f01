using SegBridge.Imaging.Geometry;
using SegBridge.Models.Torch.Brs;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// Training clicks in the manner of Xu et al. (2016), the procedure the CGAM paper follows: some positive clicks
/// inside the object, away from its border, and some negative clicks in the background, most of them near the
/// object, fewer than 10 of each; a share of samples get no click at all, so the network also learns the
/// initial (click-free) prediction used as the starting mask. Corrective clicks (the iterative part) are added
/// by <see cref="CorrectiveClick"/> from the network's own errors.
/// </summary>
public sealed class ClickSampler(Random rng)
{
    public double NoClickShare { get; init; } = 0.15;
    public int MaxPositive { get; init; } = 5;
    public int MaxNegative { get; init; } = 5;

    public List<ClickPoint> Sample(byte[] mask, int width, int height)
    {
        var clicks = new List<ClickPoint>();
        if (rng.NextDouble() < NoClickShare) return clicks;
        bool hasObject = mask.Any(v => v != 0), hasBackground = mask.Any(v => v == 0);
        int positives = hasObject ? rng.Next(1, MaxPositive + 1) : 0;
        int negatives = hasBackground ? rng.Next(hasObject ? 0 : 1, MaxNegative + 1) : 0;
        if (positives > 0) AddFrom(clicks, DistanceTransform.ToNearest(mask, width, height, target: false), width, positives, positive: true, nearObjectBias: false);
        if (negatives > 0) AddFrom(clicks, DistanceTransform.ToNearest(mask, width, height, target: true), width, negatives, positive: false, nearObjectBias: true);
        return clicks;
    }

    /// <summary>
    /// Candidate pixels are inside the clicked class; positive clicks prefer the interior (weight ∝ distance to the border),
    /// negative clicks prefer the band within 40 px of the object. Distances come from the exact EDT.
    /// </summary>
    private void AddFrom(List<ClickPoint> clicks, float[] distanceToOther, int width, int count, bool positive, bool nearObjectBias)
    {
        var candidates = new List<(int Index, double Weight)>();
        for (int i = 0; i < distanceToOther.Length; i++)
        {
            double d = distanceToOther[i];
            if (d < 3) continue; // not on the border
            double weight = nearObjectBias ? (d < 40 ? 4 : 1) : Math.Min(d, 30);
            candidates.Add((i, weight));
        }
        if (candidates.Count == 0) return;
        double total = candidates.Sum(c => c.Weight);
        for (int k = 0; k < count; k++)
        {
            double r = rng.NextDouble() * total;
            foreach (var (index, weight) in candidates)
            {
                r -= weight;
                if (r > 0) continue;
                clicks.Add(new ClickPoint(index % width, index / width, positive, 0));
                break;
            }
        }
    }

    /// <summary>The robot's next click: inside the larger error region, at its point farthest from the region's border.</summary>
    public static ClickPoint? CorrectiveClick(byte[] truth, float[] probability, int width, int height)
    {
        var falseNegative = new byte[truth.Length];
        var falsePositive = new byte[truth.Length];
        int fn = 0, fp = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            bool predicted = probability[i] > 0.5f;
            if (truth[i] != 0 && !predicted) { falseNegative[i] = 1; fn++; }
            if (truth[i] == 0 && predicted) { falsePositive[i] = 1; fp++; }
        }
        if (fn == 0 && fp == 0) return null;
        bool positive = fn >= fp;
        var dist = DistanceTransform.ToNearest(positive ? falseNegative : falsePositive, width, height, target: false);
        int best = 0;
        for (int i = 1; i < dist.Length; i++) if (dist[i] > dist[best]) best = i;
        return new ClickPoint(best % width, best / width, positive, dist[best]);
    }
}
