using SegBridge.Models.Torch.Weights;

namespace SegBridge.Models.Torch.Guide;

/// <summary>Manifest family <c>torch/guide</c>: a guide network (3 input channels) from a weights file.</summary>
public sealed class GuideFamily : IModelFamily
{
    /// <summary>The manifests' family id; the training run writes it into the manifests it makes.</summary>
    public const string Id = "torch/guide";
    public string Family => Id;
    public IReadOnlyList<string> Interactions { get; } = [];

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("maxSide", "className");
        int maxSide = parameters.GetInt("maxSide", 400, 32, 4096);
        var className = parameters.GetString("className", "Epithelium", ["Epithelium", "Tumor", "Gland", "Tissue"]);
        var (loaded, device) = SharedNetworks.LoadOne(weightsFiles, Family, inputChannels: 3);
        return new GuideModel(loaded.Network, device, maxSide, className);
    }
}
