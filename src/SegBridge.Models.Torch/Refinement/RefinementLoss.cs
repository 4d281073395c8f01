using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Refinement;

/// <summary>
/// CGAM paper eq. 2: mean over clicks of max(lᵢ·(yᵢ − f̂(uᵢ,vᵢ)), 0)² plus λ·‖M ⊙ (f̂(θₜ₋₁) − f̂(θₜ))‖².
/// f̂ is the sigmoid output. The paper writes lᵢ ∈ {−1, 1} against f̂ directly, which read literally never
/// penalises a negative click (−1 − f̂ ≤ 0 for f̂ ∈ [0, 1]); we use the target yᵢ = 1 for positive and 0 for
/// negative clicks, signed by lᵢ, which is f-BRS's click loss. The second term is averaged over pixels (not
/// summed) so λ means the same at any image size; M is 1 outside the newest click's radius.
/// </summary>
public static class RefinementLoss
{
    /// <param name="probability">(1,1,H,W) sigmoid output.</param>
    /// <param name="clickIndex">(N) flat indices y·W+x of the clicks.</param>
    /// <param name="clickSign">(N) +1 for positive, −1 for negative clicks.</param>
    /// <param name="clickTarget">(N) 1 for positive, 0 for negative clicks.</param>
    /// <param name="previous">(1,1,H,W) f̂ with θₜ₋₁, detached.</param>
    /// <param name="outsideNewest">(1,1,H,W) the mask M.</param>
    public static Tensor Compute(Tensor probability, Tensor clickIndex, Tensor clickSign, Tensor clickTarget, Tensor previous, Tensor outsideNewest, double lambda)
    {
        using var scope = NewDisposeScope();
        var atClicks = probability.flatten().index_select(0, clickIndex);
        var clickTerm = nn.functional.relu(clickSign * (clickTarget - atClicks)).pow(2).mean();
        var keepTerm = (outsideNewest * (previous - probability)).pow(2).mean();
        return (clickTerm + lambda * keepTerm).MoveToOuterDisposeScope();
    }
}
