using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// G-BRS "bmconv" as we read Lin, Price and Martinez (CVPR 2022): a 1×1 convolution over the channels of m
/// (c×c weights plus bias, starting at the identity) followed by a learnable bias map with one value per spatial
/// position of m (starting at 0) added to every channel. The bias map is why G-BRS grows with the image
/// (h·w parameters) while CGAM does not. We did not have the G-BRS paper here; README "G-BRS" says so.
/// </summary>
public sealed class GbrsRefiner : FeatureRefiner
{
    private readonly Conv2d conv;
    private readonly Parameter bias_map;

    public GbrsRefiner(int channels, long height, long width) : base("gbrs")
    {
        conv = Conv2d(channels, channels, 1, bias: true);
        using (no_grad())
        {
            conv.weight!.copy_(eye(channels).reshape(channels, channels, 1, 1));
            conv.bias!.zero_();
        }
        bias_map = new Parameter(zeros(1, 1, height, width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor m, Tensor clickMaps) => conv.forward(m).Plus(bias_map);
}
