using System.Diagnostics;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// DeepScribble as the engine sees it: GuideNet gives the initial probability once per session; every
/// interaction list (strokes, label images, clicks — all rasterised as seeds) becomes the refinement network's
/// guidance (<see cref="ScribbleGuidance"/>), and RefineNet answers from the image, that probability and the
/// guidance. Only the guidance changes between rounds, as in the paper, so strokes accumulate and undo is the
/// shorter list. Without interactions the answer is the guide's mask.
/// </summary>
public sealed class DeepScribbleModel(ClickNetwork guide, ClickNetwork refine, Device device, int maxSide, double distanceCap) : ISegmentationModel, IDeviceBound
{
    private const string CacheKey = "deepscribble.session";
    private string Inputs => refine.Config.RefineInputs!;

    public string Device => device.type == DeviceType.CUDA ? "cuda" : "cpu";

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var cache = CacheFor(image, state);
        var tensors = cache.Image;
        float[] probability;
        if (interactions.Count == 0) probability = cache.GuideRaster;
        else
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var seeds = SeedTensor(interactions, image.Width, image.Height, tensors);
            Tensor logits;
            using (no_grad()) logits = refine.forward(tensors.Padded.to(device), ScribbleGuidance.Stack(Inputs, cache.GuideProbability, seeds)).cpu();
            probability = tensors.ToRasterProbability(logits, image.Width, image.Height);
        }
        var mask = Mask.FromProbability(probability, image.Width, image.Height);
        var notes = FormattableString.Invariant(
            $"DeepScribble ({Inputs}) on {Device}: {interactions.Count} interactions, network input {tensors.Width}x{tensors.Height}, {sw.Elapsed.TotalMilliseconds:F0} ms");
        return new SegmentationResult(mask, probability, notes);
    }

    /// <summary>
    /// The seed channels at network size: computed at raster resolution (the cap scaled to raster pixels, so a
    /// stroke reaches as far in network pixels as in training), reduced by max-pooling so a thin stroke survives
    /// the downscale, and zero-padded like the image.
    /// </summary>
    private Tensor? SeedTensor(IReadOnlyList<Interaction> interactions, int width, int height, ImageTensors tensors)
    {
        if (ScribbleGuidance.SeedChannels(Inputs, interactions, width, height, distanceCap / tensors.Scale) is not { } maps) return null;
        var x = tensor(maps.Foreground.Concat(maps.Background).ToArray(), [1, 2, height, width]);
        if (tensors.Width != width || tensors.Height != height) x = nn.functional.adaptive_max_pool2d(x, [tensors.Height, tensors.Width]);
        var (ph, pw) = (tensors.Padded.shape[2], tensors.Padded.shape[3]);
        if (pw != tensors.Width || ph != tensors.Height) x = nn.functional.pad(x, [0, pw - tensors.Width, 0, ph - tensors.Height]);
        return x.to(device);
    }

    private SessionCache CacheFor(ImageRaster image, ModelSessionState state)
        => state.GetOrReplace(CacheKey, c => ReferenceEquals(c.Raster, image), () =>
        {
            var tensors = ImageTensors.FromRaster(image, maxSide);
            using var _ = no_grad();
            using var logits = guide.forward(tensors.Padded.to(device), null);
            return new SessionCache(image, tensors, sigmoid(logits), tensors.ToRasterProbability(logits.cpu(), image.Width, image.Height));
        });

    /// <summary>What a session keeps: the image tensor and the guide's probability (padded, on the device, and at raster size).</summary>
    private sealed class SessionCache(ImageRaster raster, ImageTensors image, Tensor guideProbability, float[] guideRaster) : IDisposable
    {
        public ImageRaster Raster { get; } = raster;
        public ImageTensors Image { get; } = image;
        public Tensor GuideProbability { get; } = guideProbability;
        public float[] GuideRaster { get; } = guideRaster;

        public void Dispose()
        {
            Image.Padded.Dispose();
            GuideProbability.Dispose();
        }
    }
}
