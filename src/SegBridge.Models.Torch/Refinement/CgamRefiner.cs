using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Refinement;

/// <summary>
/// Click-guided attention module, CGAM paper eq. 3–4: α = ψᵀ(ReLU(W_Cᵀ C_d + W_mᵀ m)), m̂ = m ⊙ α, with W_C
/// (2 → c/2), W_m (c → c/2) and ψ (c/2 → c) as 1×1 convolutions. W_C and W_m carry no bias, as in eq. 3; ψ has
/// a bias so that α starts at exactly one (ψ's weights zero, its bias one), leaving the network's first answer
/// unchanged until clicks move it. The starting W_C and W_m come from the weights file, so every session (and
/// the Python reference) starts from the same θ₀.
/// </summary>
public sealed class CgamRefiner : FeatureRefiner
{
    private readonly Conv2d w_c, w_m, psi;

    public CgamRefiner(int channels) : base("cgam")
    {
        w_c = Conv2d(2, channels / 2, 1, bias: false);
        w_m = Conv2d(channels, channels / 2, 1, bias: false);
        psi = Conv2d(channels / 2, channels, 1, bias: true);
        using (no_grad())
        {
            psi.weight!.zero_();
            psi.bias!.fill_(1.0);
        }
        RegisterComponents();
    }

    /// <summary>Sets θ₀'s W_C and W_m (ψ always starts at weight 0, bias 1).</summary>
    public void SetInitial(Tensor wC, Tensor wM)
    {
        using var _ = no_grad();
        w_c.weight!.copy_(wC);
        w_m.weight!.copy_(wM);
    }

    public override Tensor forward(Tensor m, Tensor clickMaps)
    {
        using var scope = NewDisposeScope();
        var alpha = psi.forward(functional.relu(w_c.forward(clickMaps) + w_m.forward(m)));
        return (m * alpha).MoveToOuterDisposeScope();
    }
}
