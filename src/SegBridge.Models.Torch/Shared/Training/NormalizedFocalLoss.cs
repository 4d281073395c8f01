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
        var pt = where(target > 0.5, p, 1 - p);
        var weightAlpha = target * alpha + (1 - target) * (1 - alpha);
        var beta = (1 - pt).pow(gamma);
        Tensor scale;
        using (no_grad())
        {
            long pixels = logits.shape[2] * logits.shape[3];
            scale = pixels / (beta.sum([1, 2, 3], keepdim: true) + eps);
        }
        var loss = -weightAlpha * beta * scale * log(clamp(pt + eps, max: 1.0));
        return loss.mean().MoveToOuterDisposeScope();
    }
}
