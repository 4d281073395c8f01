using System.Collections.Concurrent;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// Loads a manifest's one weights file for a learned family, once per file: manifests that name the same file
/// (the four click methods, say) share one network, moved to the device, in eval mode and frozen — refinement
/// only optimises θ, and sessions use the network from several threads. Every reason it cannot load becomes a
/// <see cref="ModelUnavailableException"/>, so the model is listed unavailable instead of served with random weights.
/// </summary>
public static class SharedNetworks
{
    private static readonly ConcurrentDictionary<string, Lazy<ClickModelWeights.Loaded>> Networks = new(StringComparer.Ordinal);

    /// <param name="family">The manifest family, for messages.</param>
    /// <param name="inputChannels">What this family needs: 5 for a click network, 3 for a guide network.</param>
    public static (ClickModelWeights.Loaded Weights, Device Device) LoadOne(IReadOnlyList<string> weightsFiles, string family, int inputChannels)
    {
        if (weightsFiles.Count != 1)
            throw new ModelUnavailableException($"a {family} manifest names exactly one weights file (.safetensors); this one names {weightsFiles.Count}");
        if (TorchRuntime.Device is not { } device) throw new ModelUnavailableException(TorchRuntime.Problem!);
        var loaded = Load(weightsFiles[0]);
        int actual = loaded.Network.Config.InputChannels;
        if (actual != inputChannels || loaded.Network.Config.RefineInputs is not null)
            throw new ModelUnavailableException($"weights '{Path.GetFileName(weightsFiles[0])}' are a {Kind(loaded.Network.Config)} ({actual} input channels), not a {Kind(inputChannels)}");
        return (loaded, device);
    }

    private static string Kind(int inputChannels) => inputChannels == 3 ? "guide network" : "click network";
    private static string Kind(ClickNetworkConfig config) => config.RefineInputs is { } inputs ? $"scribble refinement network ({inputs})" : Kind(config.InputChannels);

    /// <summary>
    /// A scribble refinement model's two files: a guide network and a refinement network (any input set of
    /// <see cref="ClickNetworkConfig.RefineInputSets"/>), in that order.
    /// </summary>
    public static (ClickNetwork Guide, ClickNetwork Refine, Device Device) LoadGuideAndRefine(IReadOnlyList<string> weightsFiles, string family)
    {
        if (weightsFiles.Count != 2)
            throw new ModelUnavailableException($"a {family} manifest names two weights files, the guide network then the refinement network; this one names {weightsFiles.Count}");
        if (TorchRuntime.Device is not { } device) throw new ModelUnavailableException(TorchRuntime.Problem!);
        var guide = Load(weightsFiles[0]).Network;
        var refine = Load(weightsFiles[1]).Network;
        if (guide.Config.InputChannels != 3 || guide.Config.RefineInputs is not null)
            throw new ModelUnavailableException($"weights '{Path.GetFileName(weightsFiles[0])}' are not a guide network (the first file must be one)");
        if (refine.Config.RefineInputs is null)
            throw new ModelUnavailableException($"weights '{Path.GetFileName(weightsFiles[1])}' are not a scribble refinement network (their config names no refineInputs)");
        return (guide, refine, device);
    }

    private static ClickModelWeights.Loaded Load(string path)
    {
        var lazy = Networks.GetOrAdd(path, p => new Lazy<ClickModelWeights.Loaded>(() =>
        {
            var loaded = ClickModelWeights.Load(p);
            loaded.Network.to(TorchRuntime.Device!);
            loaded.Network.eval();
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
