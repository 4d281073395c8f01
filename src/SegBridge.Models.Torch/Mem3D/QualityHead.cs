using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// f_QA: S_k (as a probability) resized to F_k's size and concatenated with F_k, three 3×3 convolutions (the
/// last two strided), pooled to 4×4, three fully connected layers and a sigmoid: the predicted IoU in [0, 1].
/// </summary>
public sealed class QualityHead : Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential convs, fc;

    public QualityHead(Mem3DConfig config) : base("f_qa")
    {
        int c = config.Channels, h = c / 2;
        convs = Sequential(
            ("0", ConvBlocks.ConvGnRelu(c + 1, h)),
            ("1", ConvBlocks.ConvGnRelu(h, h, stride: 2)),
            ("2", ConvBlocks.ConvGnRelu(h, h, stride: 2)),
            ("pool", AdaptiveAvgPool2d(4)));
        fc = Sequential(("0", Linear(h * 16, 64)), ("1", ReLU()), ("2", Linear(64, 32)), ("3", ReLU()), ("4", Linear(32, 1)));
        RegisterComponents();
    }

    /// <returns>(N) predicted IoU.</returns>
    public override Tensor forward(Tensor f, Tensor sLogits)
    {
        using var scope = NewDisposeScope();
        var s = functional.interpolate(sigmoid(sLogits), [f.shape[2], f.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        var y = convs.forward(cat([f, s], 1)).flatten(1);
        return sigmoid(fc.forward(y)).reshape(-1).MoveToOuterDisposeScope();
    }
}
