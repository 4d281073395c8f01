using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// f_In, the interaction network on one slice's ROI: input (N,3,R,R) = the slice, the previous mask of that slice
/// (0.5 everywhere in the first round) and a binary guidance image; output (N,1,R,R) logits. One network serves
/// scribbles, boxes and extreme points: the guidance image itself encodes the kind (a scribble's stroke, a box's
/// outline, four disks at the extreme points; see <see cref="Guidance"/>), as the paper trains one f_In per kind
/// but the CPU budget here trains one for all three. Encoder–decoder with skips at strides 4 and 2 (U-Net style).
/// </summary>
public sealed class InteractionNetwork : Module<Tensor, Tensor>
{
    private readonly SliceEncoder encoder;
    private readonly Sequential up4, up2, head;

    public InteractionNetwork(Mem3DConfig config) : base("f_in")
    {
        int c = config.Channels;
        encoder = new SliceEncoder(3, c);
        up4 = ConvBlocks.ConvGnRelu(c + c / 2, c / 2);
        up2 = ConvBlocks.ConvGnRelu(c / 2 + c / 4, c / 4);
        head = Sequential(("0", ConvBlocks.ConvGnRelu(c / 4 + 3, c / 4)), ("1", Conv2d(c / 4, 1, 1)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (s2, s4, s8) = encoder.forward(x);
        var y = up4.forward(cat([Up(s8, s4), s4], 1));
        y = up2.forward(cat([Up(y, s2), s2], 1));
        return head.forward(cat([Up(y, x), x], 1)).MoveToOuterDisposeScope();
    }

    internal static Tensor Up(Tensor x, Tensor like)
        => functional.interpolate(x, [like.shape[2], like.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
}
