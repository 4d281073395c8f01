using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// The guidance channels a scribble refinement network reads besides the image (DeepScribble §2.2.4 and the
/// Table 2 ablation): nothing ("I"), the guide's probability ("I+P"), plus the raw foreground/background seed
/// maps ("I+P+S") or plus their normalised distance maps ("I+P+D", <see cref="ScribbleDistanceMaps"/>). One
/// place builds them, so training and sessions feed the network the same thing.
/// </summary>
public static class ScribbleGuidance
{
    /// <summary>
    /// The two seed channels (foreground, background) at <paramref name="width"/>×<paramref name="height"/>, or
    /// null when the inputs read no scribbles. <paramref name="cap"/> is the distance-map cap in these pixels.
    /// </summary>
    public static (float[] Foreground, float[] Background)? SeedChannels(string inputs, IReadOnlyList<Interaction> interactions, int width, int height, double cap)
    {
        switch (inputs)
        {
            case "I+P+D":
                var maps = ScribbleDistanceMaps.Compute(interactions, width, height, cap);
                return (maps.Foreground, maps.Background);
            case "I+P+S":
                var labels = SeedRasterizer.Rasterize(interactions, width, height).Labels;
                return (labels.Select(l => l == SeedMap.Foreground ? 1f : 0f).ToArray(), labels.Select(l => l == SeedMap.Background ? 1f : 0f).ToArray());
            default:
                ClickNetworkConfig.RefineChannels(inputs); // throws on an unknown set
                return null;
        }
    }

    /// <summary>
    /// The guidance tensor (N,k,H,W) for the network, or null for "I": the probability (N,1,H,W) when the inputs
    /// read it, then the seed maps (N,2,H,W) when they read scribbles.
    /// </summary>
    public static Tensor? Stack(string inputs, Tensor probability, Tensor? seedMaps) => inputs switch
    {
        "I" => null,
        "I+P" => probability,
        _ => cat([probability, seedMaps ?? throw new ArgumentException($"inputs {inputs} need seed maps")], 1),
    };
}
