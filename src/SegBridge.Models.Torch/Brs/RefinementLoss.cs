using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// The losses θ is optimised on at each click. Both add λ·mean(M ⊙ (f(θₜ₋₁) − f(θₜ)))², M = 1 outside the newest
/// click's disk, to a click term (CGAM paper eq. 2); they differ in what f is and how clicks are counted.
/// </summary>
public static class RefinementLoss
{
    private static readonly Scalar One = Scalars.Of(1), Two = Scalars.Of(2);

    /// <summary>
    /// f-BRS's form, as SegBridge used it for every method before: f = the sigmoid output, the click term the mean
    /// over click pixels of max(lᵢ·(yᵢ − f(uᵢ,vᵢ)), 0)² with yᵢ = 1 / 0 for positive / negative clicks.
    /// </summary>
    /// <param name="probability">(1,1,H,W) sigmoid output.</param>
    /// <param name="clickIndex">(N) flat indices y·W+x of the clicks.</param>
    /// <param name="clickSign">(N) +1 for positive, −1 for negative clicks.</param>
    /// <param name="clickTarget">(N) 1 for positive, 0 for negative clicks.</param>
    /// <param name="previous">(1,1,H,W) f with θₜ₋₁, detached.</param>
    /// <param name="outsideNewest">(1,1,H,W) the mask M.</param>
    public static Tensor Probability(Tensor probability, Tensor clickIndex, Tensor clickSign, Tensor clickTarget, Tensor previous, Tensor outsideNewest, double lambda)
    {
        using var scope = NewDisposeScope();
        var atClicks = probability.flatten().index_select(0, clickIndex);
        var clickTerm = nn.functional.relu(clickSign * (clickTarget - atClicks)).pow(Two).mean();
        var keepTerm = (outsideNewest * (previous - probability)).pow(Two).mean();
        return clickTerm.Plus(Scalars.Of(lambda) * keepTerm).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The hinge on logits that CGAM's authors optimise (their <c>GBRSLoss</c> plus <c>CGAMOptimizer</c>), which
    /// settles the paper's lᵢ ∈ {−1, 1}: f = the logits z, a positive click pixel is pushed to z ≥ 1 by
    /// max(1 − z, 0)², a negative one to z ≤ −1 by max(1 + z, 0)², each sign averaged over its own click pixels
    /// (3×3 squares around the clicks), and the keep term on logits, averaged over all pixels. Also returns
    /// whether every click pixel already lies within 0.8 of its margin (z ≥ 0.2 or ≤ −0.2): the authors' early stop.
    /// </summary>
    /// <param name="logits">(1,1,H,W) network output.</param>
    /// <param name="positive">(1,1,H,W) 1 on positive click squares.</param>
    /// <param name="negative">(1,1,H,W) 1 on negative click squares.</param>
    /// <param name="previous">(1,1,H,W) logits with θ as the click started, detached.</param>
    /// <param name="outsideNewest">(1,1,H,W) the mask M.</param>
    public static (Tensor Loss, bool Satisfied) Hinge(Tensor logits, Tensor positive, Tensor negative, Tensor previous, Tensor outsideNewest, double lambda)
    {
        const double Eps = 1e-5, StopBelow = 0.8;
        using var scope = NewDisposeScope();
        var positiveMiss = nn.functional.relu(One.Minus(logits) * positive);
        var negativeMiss = nn.functional.relu(logits.Plus(One) * negative);
        var clickTerm = (positiveMiss.pow(Two).sum() / positive.sum().Plus(Scalars.Of(Eps))).Plus(negativeMiss.pow(Two).sum() / negative.sum().Plus(Scalars.Of(Eps)));
        var keepTerm = ((logits - previous) * outsideNewest).pow(Two).mean();
        bool satisfied;
        using (no_grad()) satisfied = Math.Max(positiveMiss.max().to_type(ScalarType.Float64).item<double>(), negativeMiss.max().to_type(ScalarType.Float64).item<double>()) < StopBelow;
        return (clickTerm.Plus(Scalars.Of(lambda) * keepTerm).MoveToOuterDisposeScope(), satisfied);
    }
}
