using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>f-BRS (Sofiiuk et al. 2020): a per-channel scale (starting at 1) and bias (starting at 0) on m.</summary>
public sealed class FbrsRefiner : FeatureRefiner
{
    private readonly Parameter scale, bias;

    public FbrsRefiner(int channels) : base("fbrs")
    {
        scale = new Parameter(ones(1, channels, 1, 1));
        bias = new Parameter(zeros(1, channels, 1, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor m, Tensor clickMaps) => (m * scale).Plus(bias);
}
