using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// A small ResNet-style encoder for one slice (plus extra channels: a mask, a guidance image): a strided stem
/// and three residual stages, C/4 at stride 2, C/2 at stride 4, C at stride 8. Returns all three for decoders.
/// </summary>
public sealed class SliceEncoder : Module<Tensor, (Tensor S2, Tensor S4, Tensor S8)>
{
    private readonly Sequential stem;
    private readonly ResBlock stage1, stage2, stage3;

    public SliceEncoder(int inChannels, int channels) : base("encoder")
    {
        stem = ConvBlocks.ConvGnRelu(inChannels, channels / 4, 3, stride: 2);
        stage1 = new ResBlock(channels / 4, channels / 4);
        stage2 = new ResBlock(channels / 4, channels / 2, stride: 2);
        stage3 = new ResBlock(channels / 2, channels, stride: 2);
        RegisterComponents();
    }

    public override (Tensor S2, Tensor S4, Tensor S8) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var s2 = stage1.forward(stem.forward(x));
        var s4 = stage2.forward(s2);
        var s8 = stage3.forward(s4);
        return (s2.MoveToOuterDisposeScope(), s4.MoveToOuterDisposeScope(), s8.MoveToOuterDisposeScope());
    }
}
