using System.Text.Json;
using TorchSharp;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Brs;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// A click model's weights file: the network's state dict (parameter and buffer names as in PyTorch), CGAM's
/// θ₀ under <c>cgam.</c> (<see cref="CgamRefiner.StartNames"/>), and the network config plus provenance in the metadata.
/// </summary>
public static class ClickModelWeights
{
    public const string ConfigKey = "segbridge.clickNetwork";
    public const string CgamPrefix = "cgam.";

    /// <summary>The network, CGAM's θ₀ by <see cref="CgamRefiner.StartNames"/> (null in a guide network's file, which has no clicks to refine) and the metadata.</summary>
    public sealed record Loaded(ClickNetwork Network, IReadOnlyDictionary<string, Tensor>? CgamStart, IReadOnlyDictionary<string, string> Metadata);

    public static Loaded Load(string path)
    {
        var contents = SafeTensors.Read(path);
        if (!contents.Metadata.TryGetValue(ConfigKey, out var configJson))
            throw new InvalidDataException($"{Path.GetFileName(path)} has no '{ConfigKey}' metadata, so the network shape is unknown");
        var network = new ClickNetwork(ClickNetworkConfig.FromJson(configJson));
        LoadState(network, contents.Tensors, Path.GetFileName(path));
        if (network.Config.InputChannels != 5) return new Loaded(network, null, contents.Metadata);
        var missing = CgamRefiner.StartNames.Where(n => !contents.Tensors.ContainsKey(CgamPrefix + n)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{Path.GetFileName(path)} lacks CGAM's θ₀ tensors {string.Join(", ", missing.Select(n => CgamPrefix + n))}"
                + (missing.Count == 6 ? " (a file from before CGAM followed its authors' module, which holds only W_C and W_m)" : ""));
        return new Loaded(network, CgamRefiner.StartNames.ToDictionary(n => n, n => contents.Tensors[CgamPrefix + n]), contents.Metadata);
    }

    /// <summary>The network shape a weights file declares, without building the network.</summary>
    public static ClickNetworkConfig ReadConfig(string path)
    {
        var contents = SafeTensors.Read(path);
        return contents.Metadata.TryGetValue(ConfigKey, out var configJson)
            ? ClickNetworkConfig.FromJson(configJson)
            : throw new InvalidDataException($"{Path.GetFileName(path)} has no '{ConfigKey}' metadata, so the network shape is unknown");
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

    public static void Save(string path, ClickNetwork network, IReadOnlyDictionary<string, Tensor>? cgamStart, IReadOnlyDictionary<string, string> provenance, bool halfPrecision)
    {
        var tensors = new Dictionary<string, Tensor>(network.state_dict());
        foreach (var (name, value) in cgamStart ?? new Dictionary<string, Tensor>()) tensors[CgamPrefix + name] = value;
        var metadata = new Dictionary<string, string>(provenance) { [ConfigKey] = network.Config.ToJson() };
        SafeTensors.Write(path, tensors, metadata, halfPrecision);
    }
}
