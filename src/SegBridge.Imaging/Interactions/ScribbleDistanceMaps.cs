using SegBridge.Imaging.Geometry;

namespace SegBridge.Imaging.Interactions;

/// <summary>
/// The scribble guidance of DeepScribble: the session's interactions (strokes with their width, label images,
/// clicks) rasterised into foreground and background seeds, each turned into the exact Euclidean distance d
/// to the nearest seed of that sign (<see cref="DistanceTransform"/>, the same EDT the eval robots use), and
/// normalised so that larger means closer: v = max(0, 1 − d / cap), 1 on a seed, 0 from <c>cap</c> pixels away
/// and everywhere when a sign has no seed. The maps are a function of the whole interaction list, so strokes
/// accumulate across rounds and undo (dropping the last stroke from the list) removes exactly that stroke.
/// </summary>
public static class ScribbleDistanceMaps
{
    /// <summary>Default cap in pixels: beyond it a seed has no influence (a 256-pixel patch is covered by one stroke).</summary>
    public const double DefaultCap = 255;

    public sealed record Maps(float[] Foreground, float[] Background, int Width, int Height);

    public static Maps Compute(IReadOnlyList<Interaction> interactions, int width, int height, double cap = DefaultCap)
    {
        if (!(cap is > 0 and <= 1e6)) throw new ArgumentOutOfRangeException(nameof(cap), cap, "cap must be in (0, 1e6] pixels");
        var seeds = SeedRasterizer.Rasterize(interactions, width, height);
        return new Maps(Normalised(seeds.Labels, 1, width, height, cap), Normalised(seeds.Labels, 2, width, height, cap), width, height);
    }

    private static float[] Normalised(byte[] labels, byte sign, int width, int height, double cap)
    {
        var own = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++) own[i] = labels[i] == sign ? (byte)1 : (byte)0;
        var distance = DistanceTransform.ToNearest(own, width, height, target: true); // +∞ everywhere when no seed
        var result = new float[distance.Length];
        for (int i = 0; i < distance.Length; i++) result[i] = (float)Math.Max(0, 1 - distance[i] / cap);
        return result;
    }
}
