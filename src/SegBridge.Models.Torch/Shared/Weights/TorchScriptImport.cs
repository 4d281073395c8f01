using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// Reads the parameters and buffers of a TorchScript file exported from PyTorch (torch.jit.trace/script of the click
/// network, see tests/torch/export_reference.py) through libtorch's own loader, and copies them by name into a
/// <see cref="ClickNetwork"/> of the given shape. The engine then runs its own network, so refinement can split it
/// into g and h, which an opaque script module would not allow.
/// </summary>
public static class TorchScriptImport
{
    public static ClickNetwork Load(string path, ClickNetworkConfig config)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"TorchScript file '{path}' does not exist", path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var script = jit.load(path))
        {
            foreach (var (name, p) in script.named_parameters()) tensors[name] = p.detach().clone();
            foreach (var (name, b) in script.named_buffers()) tensors[name] = b.detach().clone();
        }
        var network = new ClickNetwork(config);
        ClickModelWeights.LoadState(network, tensors, Path.GetFileName(path));
        network.eval();
        return network;
    }
}
