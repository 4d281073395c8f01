using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// The base click network of the CGAM paper: DeepLabV3+ on a ResNet, fed through the distance-maps fusion
/// module of f-BRS (image and the two click maps → 3 channels by 1×1 convolutions). Split into
/// g = <see cref="Features"/> (fusion, backbone, ASPP, and the decoder's low-level projection, which does not
/// depend on anything refined) and h = <see cref="Head"/> (the decoder proper), so inference-time refinement
/// backpropagates through h only. With <see cref="ClickNetworkConfig.InputChannels"/> = 3 the same network,
/// fed the image alone, is the guide network (DeepScribble's GuideNet role).
/// </summary>
public sealed class ClickNetwork : Module<Tensor, Tensor?, Tensor>
{
    private readonly Sequential? dmf;
    private readonly Conv2d? guidance;
    private readonly ResNetBackbone backbone;
    private readonly Aspp aspp;
    private readonly Sequential low_level, fuse;
    private readonly Conv2d classifier;

    public ClickNetworkConfig Config { get; }
    /// <summary>The ResNet, for a pretrained start (<see cref="ImageNetResNet18.LoadInto"/>).</summary>
    public ResNetBackbone Backbone => backbone;
    /// <summary>Channels of the feature map m that refinement modules act on (ASPP output).</summary>
    public int FeatureChannels => Config.AsppChannels;

    public ClickNetwork(ClickNetworkConfig config) : base("click_network")
    {
        config.Validate();
        Config = config;
        if (config.Backbone is ImageNetResNet18.Id)
        {
            backbone = new ResNetBackbone(config.Depth, config.Width, ImageNetResNet18.Blocks);
            if (config.InputChannels > 3)
            {
                guidance = Conv2d(config.InputChannels - 3, config.Width, 7, stride: 2, padding: 3, bias: false);
                using (no_grad()) guidance.weight!.zero_();
            }
        }
        else
        {
            dmf = Sequential(("0", Conv2d(config.InputChannels, 8, 1)), ("1", new LeakyRelu(0.2)), ("2", BatchNorm2d(8)), ("3", Conv2d(8, 3, 1)));
            backbone = new ResNetBackbone(config.Depth, config.Width);
        }
        aspp = new Aspp(backbone.OutChannels, config.AsppChannels);
        low_level = Sequential(("0", Conv2d(backbone.LowLevelChannels, config.LowLevelChannels, 1, bias: false)), ("1", BatchNorm2d(config.LowLevelChannels)), ("2", ReLU()));
        int dec = config.DecoderChannels;
        fuse = Sequential(
            ("0", Conv2d(config.AsppChannels + config.LowLevelChannels, dec, 3, padding: 1, bias: false)), ("1", BatchNorm2d(dec)), ("2", ReLU()),
            ("3", Conv2d(dec, dec, 3, padding: 1, bias: false)), ("4", BatchNorm2d(dec)), ("5", ReLU()));
        classifier = Conv2d(dec, 1, 1);
        RegisterComponents();
    }

    /// <summary>
    /// g: normalised image (N,3,H,W) and click maps (N,2,H,W; null for a guide network) → (low-level projection at
    /// stride 4, ASPP features m at stride 16).
    /// </summary>
    public (Tensor LowLevel, Tensor Features) Features(Tensor image, Tensor? clickMaps)
    {
        using var scope = NewDisposeScope();
        if ((clickMaps is null ? 3 : 3 + clickMaps.shape[1]) != Config.InputChannels)
            throw new ArgumentException($"the network takes {Config.InputChannels} input channels; got the image{(clickMaps is null ? "" : $" and {clickMaps.shape[1]} guidance channels")}");
        var (low, high) = dmf is not null
            ? backbone.forward(dmf.forward(clickMaps is null ? image : cat([image, clickMaps], 1)))
            : backbone.Forward(ImageNetResNet18.FromNormalizedRgb(image), clickMaps is null ? null : guidance!.forward(clickMaps));
        return (low_level.forward(low).MoveToOuterDisposeScope(), aspp.forward(high).MoveToOuterDisposeScope());
    }

    /// <summary>h: (possibly refined) ASPP features and the low-level projection → logits (N,1,H,W) at the input size.</summary>
    public Tensor Head(Tensor features, Tensor lowLevel, long height, long width)
    {
        using var scope = NewDisposeScope();
        var up = functional.interpolate(features, [lowLevel.shape[2], lowLevel.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        var logits = classifier.forward(fuse.forward(cat([up, lowLevel], 1)));
        return functional.interpolate(logits, [height, width], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// h with the part that does not depend on the features done once: the decoder's first convolution reads
    /// [up(m), low] and is linear, so its response to the low-level projection is computed here and only the
    /// up(m) columns run at each refinement step (a quarter less of the decoder's work per step).
    /// </summary>
    public PreparedHead PrepareHead(Tensor lowLevel, long height, long width)
    {
        var conv = (Conv2d)fuse[0];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int a = Config.AsppChannels;
        var lowWeight = conv.weight![.., a..];
        var lowResponse = functional.conv2d(lowLevel, lowWeight, padding: [1, 1]);
        return new PreparedHead(this, conv.weight![.., ..a].detach().clone().MoveToOuterDisposeScope(), lowResponse.MoveToOuterDisposeScope(), height, width);
    }

    /// <summary>h for one image's low-level projection (<see cref="PrepareHead"/>): logits for refined features.</summary>
    public sealed class PreparedHead(ClickNetwork network, Tensor featureWeight, Tensor lowResponse, long height, long width) : IDisposable
    {
        public Tensor Logits(Tensor features)
        {
            using var scope = NewDisposeScope();
            var up = functional.interpolate(features, [lowResponse.shape[2], lowResponse.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
            var x = functional.conv2d(up, featureWeight, padding: [1, 1]).Plus(lowResponse);
            for (int i = 1; i < 6; i++) x = ((Module<Tensor, Tensor>)network.fuse[i]).forward(x);
            var logits = network.classifier.forward(x);
            return functional.interpolate(logits, [height, width], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
        }

        public void Dispose()
        {
            featureWeight.Dispose();
            lowResponse.Dispose();
        }
    }

    public override Tensor forward(Tensor image, Tensor? clickMaps)
    {
        using var scope = NewDisposeScope();
        var (low, m) = Features(image, clickMaps);
        return Head(m, low, image.shape[2], image.shape[3]).MoveToOuterDisposeScope();
    }
}
