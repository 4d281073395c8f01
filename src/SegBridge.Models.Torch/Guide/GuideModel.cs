using System.Diagnostics;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Guide;

/// <summary>
/// A guide network (DeepScribble's GuideNet role): the encoder–decoder on the image alone gives the initial
/// probability map, thresholded at 0.5. It takes no interactions; in a session it answers with its prediction,
/// and over slides it runs tile by tile as a region predictor.
/// </summary>
public sealed class GuideModel(ClickNetwork network, Device device, int maxSide, string className) : ISegmentationModel, IRegionPredictor, IDeviceBound
{
    public string Device => device.type == DeviceType.CUDA ? "cuda" : "cpu";

    public RegionPredictorSpec Spec => new(maxSide, 64, 1.0, 0, className, MinObjectAreaUm2: 2000, MinHoleAreaUm2: 500);

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        if (interactions.Count > 0) throw new ArgumentException("a guide model takes no interactions; it predicts from the image alone");
        var sw = Stopwatch.StartNew();
        var probability = Predict(image);
        var mask = Mask.FromProbability(probability, image.Width, image.Height);
        return new SegmentationResult(mask, probability, FormattableString.Invariant($"guide network on {Device}, {sw.Elapsed.TotalMilliseconds:F0} ms"));
    }

    public ITilePredictor Prepare(ImageRaster? overview, CancellationToken cancellationToken) => new Tiles(this);

    private float[] Predict(ImageRaster image)
    {
        using var scope = NewDisposeScope();
        var tensors = ImageTensors.FromRaster(image, maxSide);
        Tensor logits;
        using (no_grad()) logits = network.forward(tensors.Padded.to(device), null).cpu();
        return tensors.ToRasterProbability(logits, image.Width, image.Height);
    }

    private sealed class Tiles(GuideModel model) : ITilePredictor
    {
        public string? Notes => $"guide network on {model.Device}";
        public float[] Predict(ImageRaster tile, CancellationToken cancellationToken) => model.Predict(tile);
    }
}
