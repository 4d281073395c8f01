using SegBridge.Models.Torch.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// f_Mem's query or memory encoder on the ImageNet ResNet-18 (<see cref="Mem3DConfig.Backbone"/> =
/// <see cref="ImageNetResNet18.Id"/>): the ResNet's stem (7×7 conv, 64 channels, stride 2, BN, ReLU), max-pool and
/// layer1 (64 at stride 4) and layer2 (128 at stride 8) — the modules of a <see cref="ResNetBackbone"/> built with
/// <see cref="ImageNetResNet18.Blocks"/>, with the same parameter names (conv1, bn1, layer1.*, layer2.*), so
/// <see cref="ImageNetResNet18.LoadInto"/> fills them (<see cref="StartFrom"/>). layer3 and layer4 are not kept.
/// <list type="bullet">
/// <item>Input: the grey slice in [0, 1] (Mem3D's window, <see cref="VolumeSlices"/>) as the three BGR channels the
/// ImageNet weights read: v·255 minus each channel's mean, as <see cref="ImageNetResNet18.FromNormalizedRgb"/> maps an
/// RGB image whose three channels are all v.</item>
/// <item>The memory encoder's mask enters through a separate 7×7 stride-2 convolution (<c>mask_conv</c>) that starts
/// at zero and is added to the stem convolution's output before its norm (as <see cref="ClickNetwork"/>'s guidance
/// convolution does for click maps): at the start the memory encoder is the ImageNet encoder exactly. The mask
/// enters in the image's 0–255 scale (mask·255), so the zero convolution's Adam steps move the stem as much as
/// the image's weights do.</item>
/// <item>BatchNorm statistics stay frozen at ImageNet's (the norms run in eval mode even while the network trains;
/// their scale and shift do train): batches here are a few slices, mostly background, and frozen statistics
/// keep training and inference computing the same function, as GroupNorm does in the rest of Mem3D.</item>
/// <item>Output: 1×1 conv + GroupNorm + ReLU projections to the config's widths, C/2 at stride 4 and C at stride 8,
/// so the key/value heads, the memory read, the decoder and f_QA are unchanged.</item>
/// </list>
/// </summary>
public sealed class ImageNetSliceEncoder : Module<Tensor, Tensor?, (Tensor S4, Tensor S8)>
{
    /// <summary>The ResNet modules this encoder keeps; their parameter names are the ResNet's.</summary>
    public static readonly string[] Stages = ["conv1", "bn1", "layer1", "layer2"];
    /// <summary>layer1's and layer2's widths (stride 4 and 8).</summary>
    public const int Stride4Channels = ImageNetResNet18.Width, Stride8Channels = 2 * ImageNetResNet18.Width;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1, layer2;
    private readonly Conv2d? mask_conv;
    private readonly Sequential project4, project8;

    public bool ReadsMask => mask_conv is not null;

    /// <param name="channels">C: the output width at stride 8 (C/2 at stride 4).</param>
    /// <param name="readsMask">The memory encoder (slice + mask); false: the query encoder (slice alone).</param>
    public ImageNetSliceEncoder(int channels, bool readsMask) : base("imagenet_encoder")
    {
        // The stages are a ResNetBackbone's own modules; the rest of that network is dropped.
        var donor = new ResNetBackbone(ImageNetResNet18.Depth, ImageNetResNet18.Width, ImageNetResNet18.Blocks);
        var parts = donor.named_children().ToDictionary(c => c.name, c => c.module);
        conv1 = (Conv2d)parts["conv1"];
        bn1 = (BatchNorm2d)parts["bn1"];
        layer1 = (Sequential)parts["layer1"];
        layer2 = (Sequential)parts["layer2"];
        parts["layer3"].Dispose();
        parts["layer4"].Dispose();
        if (readsMask)
        {
            mask_conv = Conv2d(1, ImageNetResNet18.Width, 7, stride: 2, padding: 3, bias: false);
            using (no_grad()) mask_conv.weight!.zero_();
        }
        project4 = ConvBlocks.ConvGnRelu(Stride4Channels, channels / 2, kernel: 1);
        project8 = ConvBlocks.ConvGnRelu(Stride8Channels, channels, kernel: 1);
        RegisterComponents();
        // Until StartFrom copies ImageNet's, the norms are the identity (a random start stays finite).
        using (no_grad())
            foreach (var (_, m) in named_modules())
                if (m is BatchNorm2d norm)
                {
                    norm.weight!.fill_(Scalars.Of(1)); norm.bias!.zero_();
                    norm.running_mean!.zero_(); norm.running_var!.fill_(Scalars.Of(1));
                }
    }

    /// <summary>
    /// Copies the ImageNet weights of the kept stages from <paramref name="imagenet"/>, a ResNet-18 that
    /// <see cref="ImageNetResNet18.LoadInto"/> has filled (parameter for parameter, by name); the mask
    /// convolution and the projections keep their start.
    /// </summary>
    public void StartFrom(ResNetBackbone imagenet)
    {
        var source = imagenet.state_dict();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int copied = 0;
        foreach (var (name, target) in state_dict())
        {
            if (!Stages.Contains(name.Split('.')[0])) continue;
            if (!source.TryGetValue(name, out var value) || !value.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"the ImageNet ResNet-18 has no '{name}' of shape [{string.Join(", ", target.shape)}]");
            target.copy_(value);
            copied++;
        }
        if (copied == 0) throw new InvalidOperationException("no ResNet stage was copied");
    }

    /// <summary>
    /// The grey slice (N,1,H,W) in [0, 1] as the ImageNet network's input (N,3,H,W): BGR in 0–255 minus the channel
    /// means, every channel the grey value.
    /// </summary>
    public Tensor ImageNetInput(Tensor grey)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(ImageNetResNet18.BgrMean, device: grey.device).view(1, 3, 1, 1);
        return (grey.expand(-1, 3, -1, -1) * Scalars.Of(255f) - mean).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The ResNet's own stage outputs: the stem after its norm and ReLU (64, stride 2), layer1 (64, stride 4) and
    /// layer2 (128, stride 8). <paramref name="mask"/> (N,1,H,W) is required by the memory encoder and refused by
    /// the query encoder.
    /// </summary>
    public (Tensor Stem, Tensor Layer1, Tensor Layer2) StageOutputs(Tensor slice, Tensor? mask)
    {
        if (slice.shape[1] != 1) throw new ArgumentException($"the encoder reads one grey channel; got {slice.shape[1]}");
        if ((mask is not null) != ReadsMask)
            throw new ArgumentException(ReadsMask ? "the memory encoder needs the slice's mask" : "the query encoder reads the slice alone");
        using var scope = NewDisposeScope();
        var stem = conv1.forward(ImageNetInput(slice));
        if (mask is not null) stem = stem.Plus(mask_conv!.forward(mask * Scalars.Of(255f)));
        stem = functional.relu(bn1.forward(stem));
        var s4 = layer1.forward(functional.max_pool2d(stem, 3, 2, 1));
        var s8 = layer2.forward(s4);
        return (stem.MoveToOuterDisposeScope(), s4.MoveToOuterDisposeScope(), s8.MoveToOuterDisposeScope());
    }

    /// <summary>The stride-4 (C/2) and stride-8 (C) features Mem3D's heads and decoder read.</summary>
    public override (Tensor S4, Tensor S8) forward(Tensor slice, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var (_, s4, s8) = StageOutputs(slice, mask);
        return (project4.forward(s4).MoveToOuterDisposeScope(), project8.forward(s8).MoveToOuterDisposeScope());
    }

    /// <summary>Training mode everywhere except the ResNet's BatchNorms, whose ImageNet statistics stay frozen.</summary>
    public override void train(bool on = true)
    {
        base.train(on);
        foreach (var (_, m) in named_modules())
            if (m is BatchNorm2d norm) norm.eval();
    }
}
