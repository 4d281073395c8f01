using System.Diagnostics;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// A click model of the backpropagating-refinement family as the engine sees it. Per session it keeps the
/// image tensor, g's features for the clicks g last saw, and the refiner's state after every click (index k =
/// after k+1 clicks; null while nothing was refined): a new click starts from the state of the clicks before it, so undo followed by a new click starts from the earlier θ, and reset (which clears the
/// session state) starts from θ₀. When the history is shorter than the click prefix (a caller that passes a
/// whole list at once) the missing θ are rebuilt click by click, so the answer never depends on the caller.
/// </summary>
public sealed class BrsModel(BrsPredictor predictor, int maxSide, string device) : ISegmentationModel, IDeviceBound, IRegionPredictor
{
    /// <summary>
    /// Without clicks the base network gives the initial segmentation (it is trained with a share of click-free
    /// samples), so every click model is also a guide model for slides: tiles of maxSide with 64 px blended
    /// overlap, at 1 µm/px (the scale the network saw GlaS at in training, 0.5–1.0 × 20×).
    /// </summary>
    public RegionPredictorSpec Spec => new(maxSide, 64, 1.0, 0, "Epithelium", MinObjectAreaUm2: 2000, MinHoleAreaUm2: 500);

    public ITilePredictor Prepare(ImageRaster? overview, CancellationToken cancellationToken) => new ClickFreeTiles(this);

    private sealed class ClickFreeTiles(BrsModel model) : ITilePredictor
    {
        public string? Notes => $"click-free base network on {model.Device}";
        public float[] Predict(ImageRaster tile, CancellationToken cancellationToken)
            => model.Segment(tile, [], new ModelSessionState(), cancellationToken).Probability!;
    }

    private const string CacheKey = "brs.session";

    public string Device => device;
    public RefinementSettings Settings => predictor.Settings;

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var clicks = interactions.Select(i => i as Click ?? throw new ArgumentException($"{i.GetType().Name} interactions are not supported by click models; send clicks")).ToList();
        var cache = CacheFor(image, state);
        var tensors = cache.Image;
        var points = clicks.Select(c =>
        {
            var (x, y) = tensors.ToNetwork(c.X, c.Y);
            return new ClickPoint(x, y, c.Positive, c.Radius * tensors.Scale);
        }).ToList();

        var history = cache.Theta;
        int prefix = Math.Max(0, points.Count - 1);
        for (int k = history.Count; k < prefix; k++)
        {
            var rebuilt = predictor.Predict(tensors.Padded, points.Take(k + 1).ToList(), k == 0 ? null : history[k - 1], cancellationToken, cache.Features);
            rebuilt.Logits.Dispose();
            history.Add(rebuilt.State);
        }
        if (history.Count > prefix)
        {
            foreach (var stale in history.Skip(prefix)) stale?.Dispose();
            history.RemoveRange(prefix, history.Count - prefix);
        }

        var step = predictor.Predict(tensors.Padded, points, prefix == 0 ? null : history[prefix - 1], cancellationToken, cache.Features);
        if (points.Count > 0) history.Add(step.State);
        var probability = tensors.ToRasterProbability(step.Logits, image.Width, image.Height);
        step.Logits.Dispose();

        var mask = Mask.FromProbability(probability, image.Width, image.Height);
        var how = step.State is null
            ? "plain forward pass"
            : FormattableString.Invariant($"up to {predictor.Settings.Iterations} Adam steps (lr {predictor.Settings.LearningRate}, lambda {predictor.Settings.Lambda}; {step.State.Steps} in this session)");
        var notes = FormattableString.Invariant(
            $"{MethodName(predictor.Settings.Method)} on {device}: {points.Count} clicks, network input {tensors.Width}x{tensors.Height}, {how}, {sw.Elapsed.TotalMilliseconds:F0} ms");
        return new SegmentationResult(mask, probability, notes);
    }

    private SessionCache CacheFor(ImageRaster image, ModelSessionState state)
        => state.GetOrReplace(CacheKey, c => ReferenceEquals(c.Raster, image), () => new SessionCache(image, ImageTensors.FromRaster(image, maxSide)));

    /// <summary>What a session keeps between clicks: the image tensor, g's features and the refiner's state after every click; disposed with the session.</summary>
    private sealed class SessionCache(ImageRaster raster, ImageTensors image) : IDisposable
    {
        public ImageRaster Raster { get; } = raster;
        public ImageTensors Image { get; } = image;
        public FeatureCache Features { get; } = new();
        public List<RefinerState?> Theta { get; } = [];

        public void Dispose()
        {
            Image.Padded.Dispose();
            Features.Dispose();
            foreach (var state in Theta) state?.Dispose();
            Theta.Clear();
        }
    }

    public static string MethodName(RefinementMethod method) => RefinementSettings.MethodNames[(int)method];
}
