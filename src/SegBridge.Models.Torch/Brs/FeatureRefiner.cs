using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// The parameters θ that backpropagating refinement optimises per click, inserted between g and h: maps the
/// ASPP features m (and the click maps resized to m) to m̂. Its state can be snapshotted so a session keeps
/// θ across clicks and undo can go back to the θ of an earlier click.
/// </summary>
public abstract class FeatureRefiner : Module<Tensor, Tensor, Tensor>
{
    protected FeatureRefiner(string name) : base(name) { }

    /// <summary>Copies of every parameter, detached, in <c>named_parameters</c> order.</summary>
    public Tensor[] Snapshot()
    {
        using var _ = no_grad();
        return parameters().Select(p => p.detach().clone().MoveToOuterDisposeScope()).ToArray();
    }

    public void Restore(IReadOnlyList<Tensor> snapshot)
    {
        using var _ = no_grad();
        var ps = parameters().ToArray();
        if (ps.Length != snapshot.Count) throw new InvalidOperationException($"snapshot has {snapshot.Count} tensors, refiner has {ps.Length} parameters");
        for (int i = 0; i < ps.Length; i++) ps[i].copy_(snapshot[i]);
    }
}
