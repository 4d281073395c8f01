using System.Text.Json;
using System.Text.Json.Serialization;
using SegBridge.Models.Torch.Networks;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// The shape of a Mem3D network (stored in the weights' metadata so a file says what it holds).
/// CPU-sized: f_Mem sees each axial slice resized to <see cref="SliceSize"/>², f_In sees its ROI resized to
/// <see cref="RoiSize"/>²; encoders reach stride 8 with <see cref="Channels"/> channels (C), keys have C/8 and
/// values C/2 channels as in the paper. <see cref="Backbone"/> says what f_Mem's query and memory encoders are.
/// </summary>
public sealed record Mem3DConfig
{
    public int SliceSize { get; init; } = 128;
    public int RoiSize { get; init; } = 96;
    /// <summary>C: the encoders' output channels at stride 8 (stages C/4, C/2, C).</summary>
    public int Channels { get; init; } = 64;
    /// <summary>Cosine similarities are multiplied by this before the softmax over memory positions (1/τ).</summary>
    public double SimilarityScale { get; init; } = 20;
    /// <summary>
    /// f_Mem's encoders: null (absent from the file) = the small <see cref="SliceEncoder"/>s trained from scratch, the
    /// layout of every file written before the field existed; <see cref="ImageNetResNet18.Id"/> = the ImageNet ResNet-18's
    /// stem, layer1 and layer2 (<see cref="ImageNetSliceEncoder"/>) projected to C/2 and C. f_In is the small encoder
    /// in both.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Backbone { get; init; }

    public int KeyChannels => Channels / 8;
    public int ValueChannels => Channels / 2;

    public void Validate()
    {
        if (SliceSize < 32 || SliceSize % 8 != 0) throw new ArgumentException($"sliceSize is {SliceSize}; it must be a multiple of 8, at least 32");
        if (RoiSize < 32 || RoiSize % 8 != 0) throw new ArgumentException($"roiSize is {RoiSize}; it must be a multiple of 8, at least 32");
        if (Channels < 16 || Channels % 16 != 0) throw new ArgumentException($"channels is {Channels}; it must be a multiple of 16, at least 16");
        if (!(SimilarityScale > 0 && SimilarityScale <= 1000)) throw new ArgumentException($"similarityScale is {SimilarityScale}; allowed (0, 1000]");
        if (Backbone is not null && Backbone != ImageNetResNet18.Id)
            throw new ArgumentException($"backbone is '{Backbone}'; allowed: {ImageNetResNet18.Id} (f_Mem's encoders start from the ImageNet ResNet-18), or absent for the small encoders trained from scratch (what --backbone none writes)");
        if (Backbone is ImageNetResNet18.Id && Channels > ImageNetSliceEncoder.Stride8Channels)
            throw new ArgumentException($"channels is {Channels}; with the {ImageNetResNet18.Id} backbone at most {ImageNetSliceEncoder.Stride8Channels} (layer2's width, which the encoders project to C)");
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static Mem3DConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<Mem3DConfig>(json, Json) ?? throw new InvalidDataException("empty Mem3D config");
        config.Validate();
        return config;
    }
}
