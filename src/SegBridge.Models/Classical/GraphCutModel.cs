using System.Globalization;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Classical.MaxFlow;

namespace SegBridge.Models.Classical;

/// <summary>
/// Interactive graph cut (Boykov–Jolly, ICCV 2001): seeds are hard constraints; every other pixel
/// pays −log p(colour | label) under Gaussian mixtures learned from the foreground and background
/// seed pixels, and neighbours (8-connected) pay λ·exp(−β‖Ii−Ij‖²)/dist for taking different
/// labels, β = 1/(2⟨‖Ii−Ij‖²⟩) as in GrabCut. The labelling is the Boykov–Kolmogorov min cut.
/// With a box and no foreground seed the foreground model starts from the whole box and is
/// re-estimated from the cut for a few rounds (GrabCut).
/// </summary>
public sealed class GraphCutModel(double lambda = GraphCutModel.DefaultLambda, int components = GraphCutModel.DefaultComponents, int grabCutIterations = GraphCutModel.DefaultGrabCutIterations) : ISegmentationModel
{
    public const double DefaultLambda = 50;
    public const int DefaultComponents = 5, DefaultGrabCutIterations = 3;
    /// <summary>Hard-constraint capacity: larger than any pixel's total smoothness cost (≤ 8λ) plus unary cost.</summary>
    private const double HardCost = 1e9;

    public double Lambda { get; } = lambda >= 0 && double.IsFinite(lambda) ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), $"lambda {lambda} must be finite and >= 0");
    public int Components { get; } = components >= 1 ? components : throw new ArgumentOutOfRangeException(nameof(components), $"components {components} must be >= 1");
    public int GrabCutIterations { get; } = grabCutIterations >= 1 ? grabCutIterations : throw new ArgumentOutOfRangeException(nameof(grabCutIterations), $"grabCutIterations {grabCutIterations} must be >= 1");

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var completed = SeedCompletion.Complete(interactions, w, h, BoxForegroundFallback.ColourModel);
        if (completed.DecidedMask is not null) return new SegmentationResult(completed.DecidedMask, null, completed.Notes);
        var seeds = completed.Seeds.Labels;
        var pairwise = new SmoothnessTerms(image, Lambda);
        cancellationToken.ThrowIfCancellationRequested();

        // Which pixels train each colour model: the seeds, or for a box without foreground seeds,
        // everything inside the box (the current labelling, re-estimated below).
        var labelling = new byte[n];
        for (int i = 0; i < n; i++) labelling[i] = seeds[i];
        if (completed.ForegroundColourBox is { } box)
            for (int y = box.Y; y < box.Y + box.Height; y++)
                for (int x = box.X; x < box.X + box.Width; x++)
                    if (labelling[y * w + x] == SeedMap.Unlabelled) labelling[y * w + x] = SeedMap.Foreground;

        int rounds = completed.ForegroundColourBox is null ? 1 : GrabCutIterations, done = 0;
        Mask mask = new(w, h);
        for (int round = 0; round < rounds; round++)
        {
            // A cut can leave one label with no pixels (e.g. a box around plain background);
            // there is then no colour model to re-estimate and the last cut stands.
            if (!labelling.Contains(SeedMap.Foreground) || !labelling.Contains(SeedMap.Background)) break;
            done++;
            var fgModel = new GaussianMixture(ColoursOf(image, labelling, SeedMap.Foreground), image.Channels, Components);
            var bgModel = new GaussianMixture(ColoursOf(image, labelling, SeedMap.Background), image.Channels, Components);
            mask = Cut(image, seeds, fgModel, bgModel, pairwise, cancellationToken);
            for (int i = 0; i < n; i++)
                labelling[i] = seeds[i] != SeedMap.Unlabelled ? seeds[i] : mask.Data[i] != 0 ? SeedMap.Foreground : SeedMap.Background;
        }
        string how = rounds > 1 ? $"{done} of {rounds} GrabCut rounds" : "one cut";
        return new SegmentationResult(mask, null, string.Create(CultureInfo.InvariantCulture, $"{completed.Notes}; graph cut: {how}, lambda {Lambda}, {Components}-component colour GMMs, 8-connected"));
    }

    private static Mask Cut(ImageRaster image, byte[] seeds, GaussianMixture fg, GaussianMixture bg, SmoothnessTerms pairwise, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height, n = w * h, c = image.Channels;
        var graph = new BoykovKolmogorovMaxFlow(n, 4 * n);
        Span<double> colour = stackalloc double[c];
        for (int i = 0; i < n; i++)
        {
            switch (seeds[i])
            {
                case SeedMap.Foreground: graph.AddTerminalWeights(i, HardCost, 0); break;
                case SeedMap.Background: graph.AddTerminalWeights(i, 0, HardCost); break;
                default:
                    for (int k = 0; k < c; k++) colour[k] = image.Pixels[i * c + k];
                    // Source side = foreground: cutting source→i (i becomes background) costs −log p(I|bg).
                    double costFg = -fg.LogDensity(colour), costBg = -bg.LogDensity(colour);
                    double floor = Math.Min(costFg, costBg); // only the difference matters; capacities must be ≥ 0
                    graph.AddTerminalWeights(i, costBg - floor, costFg - floor);
                    break;
            }
        }
        pairwise.AddTo(graph);
        graph.ComputeMaxFlow(cancellationToken);
        var mask = new Mask(w, h);
        for (int i = 0; i < n; i++) mask.Data[i] = graph.IsSourceSide(i) ? (byte)1 : (byte)0;
        return mask;
    }

    private static double[] ColoursOf(ImageRaster image, byte[] labelling, byte label)
    {
        int c = image.Channels, count = 0;
        foreach (var l in labelling) if (l == label) count++;
        var colours = new double[count * c];
        for (int i = 0, s = 0; i < labelling.Length; i++)
            if (labelling[i] == label)
                for (int k = 0; k < c; k++) colours[s++] = image.Pixels[i * c + k];
        return colours;
    }
}
