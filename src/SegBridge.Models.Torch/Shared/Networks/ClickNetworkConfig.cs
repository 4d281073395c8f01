using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// The shape of a click network (DeepLabV3+ with a ResNet backbone and f-BRS distance-maps fusion). It travels
/// inside the weights file's metadata, so a weights file always builds the network it was trained as.
/// </summary>
public sealed record ClickNetworkConfig
{
    /// <summary>ResNet depth: 18 or 34 (basic blocks), 50 or 101 (bottlenecks).</summary>
    [JsonPropertyName("depth")] public int Depth { get; init; } = 18;
    /// <summary>Channels of the ResNet stem; 64 is the standard ResNet, smaller values make a CPU-trainable network.</summary>
    [JsonPropertyName("width")] public int Width { get; init; } = 64;
    [JsonPropertyName("asppChannels")] public int AsppChannels { get; init; } = 256;
    [JsonPropertyName("decoderChannels")] public int DecoderChannels { get; init; } = 256;
    [JsonPropertyName("lowLevelChannels")] public int LowLevelChannels { get; init; } = 48;
    /// <summary>
    /// Channels entering the fusion module: 5 for a click network (RGB + two click maps), 3 for a guide network
    /// (RGB only: the GuideNet of DeepScribble, the same encoder–decoder without guidance).
    /// </summary>
    [JsonPropertyName("inputChannels")] public int InputChannels { get; init; } = 5;
    /// <summary>
    /// For a scribble refinement network (DeepScribble's RefineNet), which inputs it reads besides the image:
    /// "I" (image only), "I+P" (and the guide's probability), "I+P+S" (and the raw scribble seed maps) or
    /// "I+P+D" (and the scribble distance maps, the paper's choice). Null for click and guide networks.
    /// </summary>
    [JsonPropertyName("refineInputs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RefineInputs { get; init; }

    public static readonly string[] RefineInputSets = ["I", "I+P", "I+P+S", "I+P+D"];

    /// <summary>Input channels a refinement network with these inputs needs.</summary>
    public static int RefineChannels(string inputs) => inputs switch
    {
        "I" => 3, "I+P" => 4, "I+P+S" or "I+P+D" => 6,
        _ => throw new ArgumentException($"refineInputs is '{inputs}'; allowed: {string.Join(", ", RefineInputSets)}"),
    };

    /// <summary>
    /// Null: the backbone was trained from scratch and the image and guidance enter through f-BRS's distance-maps
    /// fusion. <see cref="ImageNetResNet18.Id"/>: the ImageNet ResNet-18 layout (blocks [2, 2, 2, 3], width 64),
    /// which reads the image as it was trained to (<see cref="ImageNetResNet18.FromNormalizedRgb"/>) while the
    /// guidance channels enter through a convolution added to its stem, zero at the start (as RITM's conv1s).
    /// </summary>
    [JsonPropertyName("backbone"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Backbone { get; init; }

    public static readonly string[] Backbones = ["none", ImageNetResNet18.Id];

    /// <summary>R in the f-BRS click encoding tanh(2·d/R), in pixels of the network input.</summary>
    [JsonPropertyName("clickNormRadius")] public double ClickNormRadius { get; init; } = 260;

    public static readonly int[] Depths = [18, 34, 50, 101];

    public void Validate()
    {
        if (!Depths.Contains(Depth)) throw new ArgumentException($"depth is {Depth}; allowed: 18, 34, 50, 101");
        if (Width is < 8 or > 256) throw new ArgumentException($"width is {Width}; allowed range is [8, 256]");
        if (AsppChannels is < 8 or > 1024) throw new ArgumentException($"asppChannels is {AsppChannels}; allowed range is [8, 1024]");
        if (AsppChannels % 2 != 0) throw new ArgumentException($"asppChannels is {AsppChannels}; it must be even (CGAM halves it)");
        if (DecoderChannels is < 8 or > 1024) throw new ArgumentException($"decoderChannels is {DecoderChannels}; allowed range is [8, 1024]");
        if (LowLevelChannels is < 4 or > 256) throw new ArgumentException($"lowLevelChannels is {LowLevelChannels}; allowed range is [4, 256]");
        if (RefineInputs is { } inputs)
        {
            int needed = RefineChannels(inputs);
            if (InputChannels != needed) throw new ArgumentException($"inputChannels is {InputChannels}; a refinement network reading {inputs} takes {needed}");
        }
        else if (InputChannels is not (3 or 5)) throw new ArgumentException($"inputChannels is {InputChannels}; allowed: 3 (guide), 5 (clicks)");
        if (Backbone is ImageNetResNet18.Id)
        {
            if (Depth != ImageNetResNet18.Depth) throw new ArgumentException($"depth is {Depth}; the {ImageNetResNet18.Id} backbone is {ImageNetResNet18.Depth}");
            if (Width != ImageNetResNet18.Width) throw new ArgumentException($"width is {Width}; the {ImageNetResNet18.Id} backbone is {ImageNetResNet18.Width} wide");
        }
        else if (Backbone is not null) throw new ArgumentException($"backbone is '{Backbone}'; allowed: {string.Join(", ", Backbones)}");
        if (!(ClickNormRadius is > 0 and <= 10000)) throw new ArgumentException($"clickNormRadius is {ClickNormRadius}; allowed range is (0, 10000]");
    }

    public string ToJson() => JsonSerializer.Serialize(this);
    public static ClickNetworkConfig FromJson(string json)
        => JsonSerializer.Deserialize<ClickNetworkConfig>(json) ?? throw new ArgumentException("network config is empty");
}
