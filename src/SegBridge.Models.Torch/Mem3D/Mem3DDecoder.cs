using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// f_Mem's decoder: F_k (C channels at stride 8) through parallel dilated 3×3 convolutions at rates 2, 4 and 8
/// plus a 1×1 branch (ASPP-like), projected back to C/2; then a residual refinement stage at stride 4 that
/// joins the query encoder's stride-4 features; logits upsampled to the slice size give S_k.
/// </summary>
public sealed class Mem3DDecoder : Module<Tensor, Tensor, long, Tensor>
{
    private readonly Sequential b1, d2, d4, d8, project;
    private readonly ResBlock refine;
    private readonly Conv2d logits;

    public Mem3DDecoder(Mem3DConfig config) : base("decoder")
    {
        int c = config.Channels, h = c / 2;
        b1 = ConvBlocks.ConvGnRelu(c, h, kernel: 1);
        d2 = ConvBlocks.ConvGnRelu(c, h, dilation: 2);
        d4 = ConvBlocks.ConvGnRelu(c, h, dilation: 4);
        d8 = ConvBlocks.ConvGnRelu(c, h, dilation: 8);
        project = ConvBlocks.ConvGnRelu(4 * h, h, kernel: 1);
        refine = new ResBlock(h + c / 2, h);
        logits = Conv2d(h, 1, 1);
        RegisterComponents();
    }

    /// <param name="f">F_k, (N,C,H/8,W/8).</param>
    /// <param name="queryS4">The query encoder's stride-4 features, (N,C/2,H/4,W/4).</param>
    /// <param name="size">The slice size the logits are upsampled to.</param>
    public override Tensor forward(Tensor f, Tensor queryS4, long size)
    {
        using var scope = NewDisposeScope();
        var y = project.forward(cat([b1.forward(f), d2.forward(f), d4.forward(f), d8.forward(f)], 1));
        y = refine.forward(cat([InteractionNetwork.Up(y, queryS4), queryS4], 1));
        var s = functional.interpolate(logits.forward(y), [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        return s.MoveToOuterDisposeScope();
    }
}
