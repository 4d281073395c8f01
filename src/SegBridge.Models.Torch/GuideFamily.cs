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
        if (weightsFiles.Count != 1)
            throw new ModelUnavailableException($"a torch/guide manifest names exactly one weights file (.safetensors); this one names {weightsFiles.Count}");
        if (TorchRuntime.Device is not { } device) throw new ModelUnavailableException(TorchRuntime.Problem!);
        var loaded = BrsFamily.Load(weightsFiles[0]);
        if (loaded.Network.Config.InputChannels != 3)
            throw new ModelUnavailableException($"weights '{Path.GetFileName(weightsFiles[0])}' are a click network ({loaded.Network.Config.InputChannels} input channels), not a guide network");
        return new GuideModel(loaded.Network, device, maxSide, className);
    }
}
