using System.Collections.Concurrent;
using TorchSharp;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// Manifest family <c>torch/mem3d</c>: one weights file holding f_In, f_Mem and f_QA (<see cref="Mem3DWeights"/>).
/// Parameter <c>memoryEvery</c> is N, every N-th propagated slice joins the memory (5 as in the paper).
/// </summary>
public sealed class Mem3DFamily : IModelFamily
{
    private static readonly ConcurrentDictionary<string, Lazy<Mem3DNetwork>> Networks = new(StringComparer.Ordinal);

    /// <summary>The manifests' family id; the training run writes it into the manifests it makes.</summary>
    public const string Id = "torch/mem3d";
    public string Family => Id;
    public IReadOnlyList<string> Interactions { get; } = ["extremePoints", "box", "scribble", "click", "labels"];

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("memoryEvery");
        int every = parameters.GetInt("memoryEvery", 5, 1, 1000);
        if (weightsFiles.Count != 1)
            throw new ModelUnavailableException($"a {Family} manifest names exactly one weights file (.safetensors); this one names {weightsFiles.Count}");
        if (TorchRuntime.Device is not { } device) throw new ModelUnavailableException(TorchRuntime.Problem!);
        var path = weightsFiles[0];
        var lazy = Networks.GetOrAdd(path, p => new Lazy<Mem3DNetwork>(() =>
        {
            var (network, _) = Mem3DWeights.Load(p);
            network.to(device);
            network.eval();
            foreach (var parameter in network.parameters()) parameter.requires_grad = false;
            return network;
        }));
        try { return new Mem3DModel(lazy.Value, device, every); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            Networks.TryRemove(path, out _);
            throw new ModelUnavailableException($"weights '{Path.GetFileName(path)}' do not load: {e.Message}");
        }
    }
}
