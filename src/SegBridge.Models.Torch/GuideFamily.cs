using SegBridge.Models.Torch.Weights;

namespace SegBridge.Models.Torch;

/// <summary>Manifest family <c>torch/guide</c>: a guide network (3 input channels) from a weights file.</summary>
public sealed class GuideFamily : IModelFamily
{
    public string Family => "torch/guide";
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
