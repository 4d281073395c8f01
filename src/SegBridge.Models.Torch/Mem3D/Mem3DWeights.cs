using SegBridge.Models.Torch.Weights;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>A Mem3D weights file: the state dict of <see cref="Mem3DNetwork"/> with its config in the metadata.</summary>
public static class Mem3DWeights
{
    public const string ConfigKey = "segbridge.mem3d";

    public static (Mem3DNetwork Network, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        var contents = SafeTensors.Read(path);
        if (!contents.Metadata.TryGetValue(ConfigKey, out var configJson))
            throw new InvalidDataException($"{Path.GetFileName(path)} has no '{ConfigKey}' metadata, so it is not a Mem3D weights file");
        Mem3DConfig config;
        try { config = Mem3DConfig.FromJson(configJson); }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException) { throw new InvalidDataException($"{Path.GetFileName(path)}: bad Mem3D config: {e.Message}"); }
        var network = new Mem3DNetwork(config);
        ClickModelWeights.LoadState(network, contents.Tensors, Path.GetFileName(path));
        foreach (var t in contents.Tensors.Values) t.Dispose();
        return (network, contents.Metadata);
    }

    /// <param name="halfPrecision">Float16 for the small layout; a file with the ImageNet encoders is always written in
    /// float32: the ResNet stem's BatchNorm variances reach 72 282 (it reads 0–255 input), past float16's 65 504, and
    /// would load as infinity.</param>
    public static void Save(string path, Mem3DNetwork network, IReadOnlyDictionary<string, string> provenance, bool halfPrecision)
    {
        var metadata = new Dictionary<string, string>(provenance) { [ConfigKey] = network.Config.ToJson() };
        SafeTensors.Write(path, new Dictionary<string, Tensor>(network.state_dict()), metadata, halfPrecision && network.Config.Backbone is null);
    }
}
