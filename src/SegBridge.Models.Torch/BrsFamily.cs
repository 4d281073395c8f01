using System.Collections.Concurrent;
using SegBridge.Models.Torch.Refinement;
using SegBridge.Models.Torch.Weights;
using TorchSharp;

namespace SegBridge.Models.Torch;

/// <summary>
/// Manifest family <c>torch/brs-click</c>: the CGAM paper's click models (none, f-BRS, G-BRS, CGAM) on one base
/// network. Manifests that name the same weights file share one loaded network.
/// </summary>
public sealed class BrsFamily : IModelFamily
{
    private static readonly ConcurrentDictionary<string, Lazy<ClickModelWeights.Loaded>> Networks = new(StringComparer.Ordinal);

    public string Family => "torch/brs-click";
    public IReadOnlyList<string> Interactions { get; } = ["click"];

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("method", "iterations", "learningRate", "beta1", "beta2", "lambda", "maxSide", "defaultClickRadius");
        var settings = new RefinementSettings
        {
            Method = RefinementSettings.ParseMethod(parameters.GetString("method", "cgam", RefinementSettings.MethodNames)),
            Iterations = parameters.GetInt("iterations", 20, 1, 1000),
            LearningRate = parameters.GetDouble("learningRate", 5e-2, 1e-6, 10),
            Beta1 = parameters.GetDouble("beta1", 0.9, 0, 0.999999),
            Beta2 = parameters.GetDouble("beta2", 0.999, 0, 0.999999),
            Lambda = parameters.GetDouble("lambda", 1, 0, 1e6),
            DefaultClickRadius = parameters.GetDouble("defaultClickRadius", 5, 0, 1000),
        };
        int maxSide = parameters.GetInt("maxSide", 512, 32, 4096);
        if (weightsFiles.Count != 1)
            throw new ModelUnavailableException($"a torch/brs-click manifest names exactly one weights file (.safetensors); this one names {weightsFiles.Count}");

        if (TorchRuntime.Device is not { } device) throw new ModelUnavailableException(TorchRuntime.Problem!);
        var loaded = Load(weightsFiles[0]);
        if (loaded.Network.Config.InputChannels != 5)
            throw new ModelUnavailableException($"weights '{Path.GetFileName(weightsFiles[0])}' are a guide network ({loaded.Network.Config.InputChannels} input channels), not a click network");
        var predictor = new BrsPredictor(loaded.Network, device, settings, loaded.CgamWc, loaded.CgamWm);
        return new BrsModel(predictor, maxSide, TorchRuntime.DeviceName!);
    }

    internal static ClickModelWeights.Loaded Load(string path)
    {
        var lazy = Networks.GetOrAdd(path, p => new Lazy<ClickModelWeights.Loaded>(() =>
        {
            var loaded = ClickModelWeights.Load(p);
            loaded.Network.to(TorchRuntime.Device!);
            loaded.Network.eval();
            // Frozen: refinement only optimises θ, and sessions share this network across threads.
            foreach (var parameter in loaded.Network.parameters()) parameter.requires_grad = false;
            return loaded;
        }));
        try { return lazy.Value; }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            Networks.TryRemove(path, out _);
            throw new ModelUnavailableException($"weights '{Path.GetFileName(path)}' do not load: {e.Message}");
        }
    }
}
