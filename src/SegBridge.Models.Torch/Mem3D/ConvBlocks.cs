using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// Building blocks of the Mem3D networks. GroupNorm instead of BatchNorm: training batches here are a few
/// slices, and GroupNorm has no running statistics, so training and inference compute the same function.
/// </summary>
internal static class ConvBlocks
{
    public static int Groups(int channels) => Math.Min(8, channels / 4);

    /// <summary>conv k×k (dilation d) → GroupNorm → ReLU.</summary>
    public static Sequential ConvGnRelu(int inChannels, int outChannels, int kernel = 3, int stride = 1, int dilation = 1)
        => Sequential(
            ("conv", Conv2d(inChannels, outChannels, kernel, stride: stride, padding: dilation * (kernel / 2), dilation: dilation, bias: false)),
            ("norm", GroupNorm(Groups(outChannels), outChannels)),
            ("relu", ReLU()));
}

/// <summary>Two 3×3 convolutions with a (projected when the shape changes) identity shortcut.</summary>
public sealed class ResBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly GroupNorm norm1, norm2;
    private readonly Sequential? shortcut;

    public ResBlock(int inChannels, int outChannels, int stride = 1) : base("res")
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        norm1 = GroupNorm(ConvBlocks.Groups(outChannels), outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        norm2 = GroupNorm(ConvBlocks.Groups(outChannels), outChannels);
        if (stride != 1 || inChannels != outChannels)
            shortcut = Sequential(("conv", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("norm", GroupNorm(ConvBlocks.Groups(outChannels), outChannels)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = norm2.forward(conv2.forward(functional.relu(norm1.forward(conv1.forward(x)))));
        var identity = shortcut is null ? x : shortcut.forward(x);
        return functional.relu(y.Plus(identity)).MoveToOuterDisposeScope();
    }
}
