using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// Atrous spatial pyramid pooling of DeepLabV3 at output stride 16: a 1×1 branch, three 3×3 branches at rates
/// 6, 12, 18, an image-pooling branch, then a 1×1 projection. Layout and names follow torchvision.
/// </summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    private readonly Sequential b0, b1, b2, b3, pool, project;

    public Aspp(int inChannels, int channels) : base("aspp")
    {
        b0 = Sequential(("0", Conv2d(inChannels, channels, 1, bias: false)), ("1", BatchNorm2d(channels)), ("2", ReLU()));
        b1 = Atrous(inChannels, channels, 6);
        b2 = Atrous(inChannels, channels, 12);
        b3 = Atrous(inChannels, channels, 18);
        pool = Sequential(("0", AdaptiveAvgPool2d(1)), ("1", Conv2d(inChannels, channels, 1, bias: false)), ("2", BatchNorm2d(channels)), ("3", ReLU()));
        project = Sequential(("0", Conv2d(5 * channels, channels, 1, bias: false)), ("1", BatchNorm2d(channels)), ("2", ReLU()));
        RegisterComponents();
    }

    private static Sequential Atrous(int inChannels, int channels, int rate)
        => Sequential(("0", Conv2d(inChannels, channels, 3, padding: rate, dilation: rate, bias: false)), ("1", BatchNorm2d(channels)), ("2", ReLU()));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // The pooled branch is 1×1; bilinear upsampling of a single value is a broadcast.
        var pooled = pool.forward(x).expand(-1, -1, x.shape[2], x.shape[3]);
        var all = cat([b0.forward(x), b1.forward(x), b2.forward(x), b3.forward(x), pooled], 1);
        return project.forward(all).MoveToOuterDisposeScope();
    }
}
