using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Classical;

namespace SegBridge.Models.Guide;

/// <summary>
/// Tissue against glass, with no weights. The rule:
/// <list type="number">
/// <item>saturation s = (max − min) / max of each RGB pixel (0 for black), Gaussian-blurred with σ = <see cref="Sigma"/> working pixels;
/// stained tissue is coloured, glass and its noise are near-grey;</item>
/// <item>one threshold per run: Otsu on the 256-bin histogram of the blurred saturation of an overview of the
/// whole region (at most 1024 pixels on the long side), clamped to [<see cref="MinThreshold"/>, <see cref="MaxThreshold"/>]
/// — the floor keeps blank glass empty (Otsu would split its noise), the ceiling keeps pale tissue when a
/// region is all tissue (Otsu would split pale from dark stain). One threshold for all tiles means tiles
/// cannot disagree at their borders;</item>
/// <item>per tile, probability p = clamp(0.5 + (s − t) / (2·<see cref="Ramp"/>), 0, 1), so p ≥ 0.5 exactly where s ≥ t
/// and blending across tile overlaps stays smooth;</item>
/// <item>clean-up (done by the engine on the traced polygons): components smaller than
/// <see cref="MinObjectAreaUm2"/> µm² are dropped and holes smaller than <see cref="MinHoleAreaUm2"/> µm² filled.</item>
/// </list>
/// As an <see cref="ISegmentationModel"/> (eval's guide model, sessions) it ignores interactions and applies
/// steps 1–3 to the image it is given, with that image as the overview.
/// </summary>
public sealed class TissueDetector(double sigma, double minThreshold, double maxThreshold, double minObjectAreaUm2, double minHoleAreaUm2,
    int tileSize, int overlap, double defaultMpp) : IRegionPredictor, ISegmentationModel
{
    public const double Ramp = 0.05;
    public double Sigma { get; } = sigma;
    public double MinThreshold { get; } = minThreshold;
    public double MaxThreshold { get; } = maxThreshold;
    public double MinObjectAreaUm2 { get; } = minObjectAreaUm2;
    public double MinHoleAreaUm2 { get; } = minHoleAreaUm2;

    public RegionPredictorSpec Spec { get; } = new(tileSize, overlap, defaultMpp, 1024, "Tissue", minObjectAreaUm2, minHoleAreaUm2);

    public ITilePredictor Prepare(ImageRaster? overview, CancellationToken cancellationToken)
    {
        double t = MinThreshold;
        if (overview is not null)
        {
            var s = BlurredSaturation(overview);
            Span<long> histogram = stackalloc long[256];
            foreach (var v in s) histogram[(int)Math.Clamp(v * 255f + 0.5f, 0, 255)]++;
            t = Math.Clamp(Otsu.Threshold(histogram) / 255.0, MinThreshold, MaxThreshold);
        }
        return new Tiles(this, (float)t);
    }

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        var tiles = Prepare(image, cancellationToken);
        var p = tiles.Predict(image, cancellationToken);
        var mask = new Mask(image.Width, image.Height);
        for (int i = 0; i < p.Length; i++) mask.Data[i] = p[i] >= 0.5f ? (byte)1 : (byte)0;
        return new SegmentationResult(mask, p, tiles.Notes + (interactions.Count > 0 ? "; interactions are ignored" : ""));
    }

    private float[] BlurredSaturation(ImageRaster image)
    {
        int n = image.Width * image.Height;
        var s = new float[n];
        var px = image.Pixels;
        for (int i = 0, j = 0; i < n; i++, j += image.Channels)
        {
            if (image.Channels == 1) break; // grey images have no saturation: no tissue by this rule
            int r = px[j], g = px[j + 1], b = px[j + 2];
            int max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
            s[i] = max == 0 ? 0 : (max - min) / (float)max;
        }
        if (Sigma > 0) GaussianBlur.Apply(s, new float[n], image.Width, image.Height, Sigma);
        return s;
    }

    private sealed class Tiles(TissueDetector detector, float threshold) : ITilePredictor
    {
        public string? Notes { get; } = $"saturation threshold {threshold:0.###} (Otsu on the overview, clamped to [{detector.MinThreshold:0.###}, {detector.MaxThreshold:0.###}])";

        public float[] Predict(ImageRaster tile, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var s = detector.BlurredSaturation(tile);
            const float scale = (float)(1 / (2 * Ramp));
            for (int i = 0; i < s.Length; i++) s[i] = Math.Clamp(0.5f + (s[i] - threshold) * scale, 0f, 1f);
            return s;
        }
    }
}
