using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// Leaky ReLU, max(x, slope·x), with the slope held as one Scalar for the module's lifetime. TorchSharp's own
/// LeakyReLU builds a temporary Scalar per call; in a long evaluation run one such call failed inside libtorch
/// with a corrupt Scalar ("Expected false to be true" in Scalar::toFloat), the mark of a temporary finalised
/// while native code still used it. The slope is a process-wide <see cref="Scalars"/> constant, which rules that
/// out. No parameters, so state-dict names are unchanged.
/// </summary>
public sealed class LeakyRelu(double slope) : Module<Tensor, Tensor>("leaky_relu")
{
    private readonly Scalar slope = Scalars.Of(slope);

    public override Tensor forward(Tensor input)
    {
        using var scaled = input.mul(slope);
        return maximum(input, scaled);
    }
}
