using SegBridge.Models.Torch.Weights;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// Manifest family <c>torch/brs-click</c>: the CGAM paper's click models (none, f-BRS, G-BRS, CGAM) on one base
/// network. Manifests that name the same weights file share one loaded network.
/// </summary>
public sealed class BrsFamily : IModelFamily
{
    /// <summary>The manifests' family id; the training run writes it into the manifests it makes.</summary>
    public const string Id = "torch/brs-click";
    public string Family => Id;
    public IReadOnlyList<string> Interactions { get; } = ["click"];

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("method", "iterations", "learningRate", "beta1", "beta2", "lambda", "maxSide", "defaultClickRadius", "optimizeAfterClicks", "netClicksLimit", "earlyStop");
        var settings = new RefinementSettings
        {
            Method = RefinementSettings.ParseMethod(parameters.GetString("method", "cgam", RefinementSettings.MethodNames)),
            Iterations = parameters.GetInt("iterations", 20, 1, 1000),
            LearningRate = parameters.GetDouble("learningRate", 5e-2, 1e-6, 10),
            Beta1 = parameters.GetDouble("beta1", 0.9, 0, 0.999999),
            Beta2 = parameters.GetDouble("beta2", 0.999, 0, 0.999999),
            Lambda = parameters.GetDouble("lambda", 1, 0, 1e6),
            DefaultClickRadius = parameters.GetDouble("defaultClickRadius", 5, 0, 1000),
            OptimizeAfterClicks = parameters.GetInt("optimizeAfterClicks", 1, 0, 1000),
            NetClicksLimit = parameters.GetInt("netClicksLimit", 8, 1, 1000),
            EarlyStop = parameters.GetBool("earlyStop", true),
        };
        int maxSide = parameters.GetInt("maxSide", 512, 32, 4096);
        var (loaded, device) = SharedNetworks.LoadOne(weightsFiles, Family, inputChannels: 5);
        var predictor = new BrsPredictor(loaded.Network, device, settings, loaded.CgamStart);
        return new BrsModel(predictor, maxSide, TorchRuntime.DeviceName!);
    }
}
