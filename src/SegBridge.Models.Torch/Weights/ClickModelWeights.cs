using System.Text.Json;
using TorchSharp;
using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// A click model's weights file: the network's state dict (parameter and buffer names as in PyTorch), CGAM's
/// starting W_C and W_m under <c>cgam.</c>, and the network config plus provenance in the metadata.
/// </summary>
public static class ClickModelWeights
{
    public const string ConfigKey = "segbridge.clickNetwork";
    public const string CgamWc = "cgam.w_c.weight", CgamWm = "cgam.w_m.weight";

    /// <summary>The network, CGAM's θ₀ (null in a guide network's file, which has no clicks to refine) and the metadata.</summary>
    public sealed record Loaded(ClickNetwork Network, Tensor? CgamWc, Tensor? CgamWm, IReadOnlyDictionary<string, string> Metadata);

    public static Loaded Load(string path)
    {
        var contents = SafeTensors.Read(path);
        if (!contents.Metadata.TryGetValue(ConfigKey, out var configJson))
            throw new InvalidDataException($"{Path.GetFileName(path)} has no '{ConfigKey}' metadata, so the network shape is unknown");
        var network = new ClickNetwork(ClickNetworkConfig.FromJson(configJson));
        LoadState(network, contents.Tensors, Path.GetFileName(path));
        contents.Tensors.TryGetValue(CgamWc, out var wc);
        contents.Tensors.TryGetValue(CgamWm, out var wm);
        if (network.Config.InputChannels == 5 && (wc is null || wm is null))
            throw new InvalidDataException($"{Path.GetFileName(path)} lacks {CgamWc} / {CgamWm} (CGAM's starting parameters)");
        return new Loaded(network, wc, wm, contents.Metadata);
    }

    /// <summary>Copies every state-dict entry of <paramref name="network"/> from <paramref name="tensors"/>; a missing name or a shape mismatch is an error naming it.</summary>
    public static void LoadState(nn.Module network, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        using var _ = no_grad();
        foreach (var (name, target) in network.state_dict())
        {
            if (!tensors.TryGetValue(name, out var value))
                throw new InvalidDataException($"{source} has no tensor '{name}' needed by the network");
            if (!value.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{source}: '{name}' has shape [{string.Join(",", value.shape)}], the network needs [{string.Join(",", target.shape)}]");
            target.copy_(value.to_type(target.dtype));
        }
    }

    /// <summary>CGAM's θ₀ for W_C and W_m, drawn once (PyTorch's default 1×1 convolution initialisation) with a fixed seed.</summary>
    public static (Tensor Wc, Tensor Wm) NewCgamStart(int channels, long seed)
    {
        using var generator = new Generator((ulong)seed);
        // kaiming_uniform(a=√5) on a 1×1 conv reduces to U(−1/√fan_in, 1/√fan_in).
        var wc = (rand([channels / 2, 2, 1, 1], generator: generator) * 2 - 1) / Math.Sqrt(2);
        var wm = (rand([channels / 2, channels, 1, 1], generator: generator) * 2 - 1) / Math.Sqrt(channels);
        return (wc, wm);
    }

    public static void Save(string path, ClickNetwork network, Tensor? cgamWc, Tensor? cgamWm, IReadOnlyDictionary<string, string> provenance, bool halfPrecision)
    {
        var tensors = new Dictionary<string, Tensor>(network.state_dict());
        if (cgamWc is not null && cgamWm is not null) { tensors[CgamWc] = cgamWc; tensors[CgamWm] = cgamWm; }
        var metadata = new Dictionary<string, string>(provenance) { [ConfigKey] = network.Config.ToJson() };
        SafeTensors.Write(path, tensors, metadata, halfPrecision);
    }
}
