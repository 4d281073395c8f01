using SegBridge.Imaging.Interactions;
using SegBridge.Models.Torch.Weights;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// Manifest family <c>torch/deepscribble</c>: GuideNet + RefineNet from two weights files (guide first). The
/// refinement network's config says which guidance it reads, so the Table 2 ablation variants (I, I+P, I+P+S,
/// I+P+D) are served by the same family.
/// </summary>
public sealed class DeepScribbleFamily : IModelFamily
{
    /// <summary>The manifests' family id; the training run writes it into the manifests it makes.</summary>
    public const string Id = "torch/deepscribble";
    public string Family => Id;
    public IReadOnlyList<string> Interactions { get; } = ["scribble", "labels", "click"];

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("maxSide", "distanceCap");
        int maxSide = parameters.GetInt("maxSide", 400, 32, 4096);
        double cap = parameters.GetDouble("distanceCap", ScribbleDistanceMaps.DefaultCap, 1, 10000);
        var (guide, refine, device) = SharedNetworks.LoadGuideAndRefine(weightsFiles, Family);
        return new DeepScribbleModel(guide, refine, device, maxSide, cap);
    }
}
