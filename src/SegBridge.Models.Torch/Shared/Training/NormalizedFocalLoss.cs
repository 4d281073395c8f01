using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// Normalised focal loss (Sofiiuk et al., AdaptIS 2019), the training loss of the CGAM paper §3.2: focal weights
/// (1 − p_t)^γ rescaled per image so they sum to the pixel count (the rescaling is not differentiated), with
/// α balancing object and background. γ = 2, α = 0.5 as in AdaptIS/RITM.
/// </summary>
public static class NormalizedFocalLoss
{
    public static Tensor Compute(Tensor logits, Tensor target, double gamma = 2, double alpha = 0.5, double eps = 1e-8)
    {
        using var scope = NewDisposeScope();
        var p = sigmoid(logits);
        Scalar one = Scalars.Of(1), epsilon = Scalars.Of(eps);
        var pt = where(target > Scalars.Of(0.5), p, one.Minus(p));
        var weightAlpha = (target * Scalars.Of(alpha)).Plus(one.Minus(target) * Scalars.Of(1 - alpha));
        var beta = one.Minus(pt).pow(Scalars.Of(gamma));
        Tensor scale;
        using (no_grad())
        {
            using var pixels = (logits.shape[2] * logits.shape[3]).ToScalar();
            scale = pixels / beta.sum([1, 2, 3], keepdim: true).Plus(epsilon);
        }
        var loss = -weightAlpha * beta * scale * log(clamp(pt.Plus(epsilon), max: one));
        return loss.mean().MoveToOuterDisposeScope();
    }
}
