using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// Click-guided attention module, CGAM paper eq. 3–4, in the form its authors' code gives it
/// (Seonghui-Min/CGAM, <c>cgam_module.py</c>): α = IN(ψ(ReLU(W_m m + W_C C_d))), m̂ = m ⊙ α, with W_m (c → c/2),
/// W_C (2 → c/2) and ψ (c/2 → c) 1×1 convolutions with biases and IN an affine instance norm whose scale
/// starts at 0 and shift at 1. That is the normalisation the paper leaves open: α starts at exactly one, so the
/// network's answer is unchanged until clicks move it, while ψ, W_m and W_C start from ordinary random values
/// (with ψ at zero nothing would ever reach them). C_d is the click disks max-pooled to m's size
/// (<see cref="BrsPredictor"/>). θ₀ comes from the weights file, so every session and the PyTorch reference
/// start from the same values.
/// </summary>
public sealed class CgamRefiner : FeatureRefiner
{
    private readonly Conv2d w_c, w_m, psi;
    private readonly InstanceNorm2d norm;

    /// <summary>The state-dict names of θ₀; the weights file stores each under <c>cgam.</c>.</summary>
    public static readonly string[] StartNames = ["w_c.weight", "w_c.bias", "w_m.weight", "w_m.bias", "psi.weight", "psi.bias", "norm.weight", "norm.bias"];

    public CgamRefiner(int channels) : base("cgam")
    {
        w_c = Conv2d(2, channels / 2, 1);
        w_m = Conv2d(channels, channels / 2, 1);
        psi = Conv2d(channels / 2, channels, 1);
        norm = InstanceNorm2d(channels, affine: true);
        RegisterComponents();
    }

    /// <summary>Sets θ₀ from the weights file's tensors (names as <see cref="StartNames"/>).</summary>
    public void SetInitial(IReadOnlyDictionary<string, Tensor> start)
    {
        using var _ = no_grad();
        foreach (var (name, target) in state_dict())
            target.copy_(start.TryGetValue(name, out var value) ? value : throw new InvalidDataException($"CGAM's θ₀ has no '{name}'"));
    }

    /// <summary>
    /// θ₀ as PyTorch would draw it for these layers (kaiming-uniform weights and uniform biases, bound 1/√fan_in),
    /// from a fixed seed, with IN's scale 0 and shift 1 so that α starts at one.
    /// </summary>
    public static Dictionary<string, Tensor> NewStart(int channels, long seed)
    {
        using var generator = new Generator((ulong)seed);
        Tensor Uniform(long[] shape, long fanIn) => (rand(shape, generator: generator) * Scalars.Of(2) - Scalars.Of(1)) / Scalars.Of(Math.Sqrt(fanIn));
        int half = channels / 2;
        return new Dictionary<string, Tensor>
        {
            ["w_c.weight"] = Uniform([half, 2, 1, 1], 2), ["w_c.bias"] = Uniform([half], 2),
            ["w_m.weight"] = Uniform([half, channels, 1, 1], channels), ["w_m.bias"] = Uniform([half], channels),
            ["psi.weight"] = Uniform([channels, half, 1, 1], half), ["psi.bias"] = Uniform([channels], half),
            ["norm.weight"] = zeros(channels), ["norm.bias"] = ones(channels),
        };
    }

    public override Tensor forward(Tensor m, Tensor clickDisks)
    {
        using var scope = NewDisposeScope();
        var alpha = norm.forward(psi.forward(functional.relu(w_m.forward(m).Plus(w_c.forward(clickDisks)))));
        return (m * alpha).MoveToOuterDisposeScope();
    }
}
