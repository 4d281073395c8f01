using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// θ after a click together with the Adam moments that go with it: the CGAM authors create one Adam at the first
/// refined click and keep it for the rest of the session, so its moments carry over from click to click as θ
/// does. A session keeps one per click, so undo goes back to both.
/// </summary>
public sealed class RefinerState(Tensor[] parameters, Tensor[] firstMoments, Tensor[] secondMoments, int steps) : IDisposable
{
    public Tensor[] Parameters { get; } = parameters;
    public Tensor[] FirstMoments { get; } = firstMoments;
    public Tensor[] SecondMoments { get; } = secondMoments;
    /// <summary>Adam steps taken so far in the session (its bias correction counts them).</summary>
    public int Steps { get; } = steps;

    public void Dispose()
    {
        foreach (var t in Parameters.Concat(FirstMoments).Concat(SecondMoments)) t.Dispose();
    }
}

/// <summary>
/// Adam as torch.optim.Adam computes it (no weight decay, ε = 1e-8 added after the bias-corrected square root),
/// written out so that its moments can be snapshotted with θ into a <see cref="RefinerState"/> and restored.
/// </summary>
public sealed class RefinerAdam
{
    private readonly Tensor[] _parameters, _m, _v;
    private readonly double _lr, _beta1, _beta2;
    private const double Epsilon = 1e-8;
    private int _steps;

    public RefinerAdam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, RefinerState? resume = null)
    {
        _parameters = [.. parameters];
        (_lr, _beta1, _beta2) = (lr, beta1, beta2);
        using var _ = no_grad();
        // The moments live in the caller's dispose scope (one click); Snapshot copies them out.
        _m = [.. _parameters.Select(p => zeros_like(p))];
        _v = [.. _parameters.Select(p => zeros_like(p))];
        if (resume is null) return;
        if (resume.Parameters.Length != _parameters.Length) throw new InvalidOperationException($"the state has {resume.Parameters.Length} tensors, the refiner {_parameters.Length} parameters");
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].copy_(resume.Parameters[i]);
            _m[i].copy_(resume.FirstMoments[i]);
            _v[i].copy_(resume.SecondMoments[i]);
        }
        _steps = resume.Steps;
    }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _steps++;
        double correction1 = 1 - Math.Pow(_beta1, _steps), correction2 = 1 - Math.Pow(_beta2, _steps);
        // These change every step, so they are held here for the loop rather than cached (see Scalars).
        using var biasScale = Math.Sqrt(correction2).ToScalar();
        using var stepSize = (-_lr / correction1).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null) continue;
            _m[i].mul_(Scalars.Of(_beta1)).add_(grad, alpha: Scalars.Of(1 - _beta1));
            _v[i].mul_(Scalars.Of(_beta2)).addcmul_(grad, grad, value: Scalars.Of(1 - _beta2));
            var denominator = _v[i].sqrt().div_(biasScale).add_(Scalars.Of(Epsilon), Scalars.Of(1));
            _parameters[i].addcdiv_(_m[i], denominator, value: stepSize);
        }
    }

    /// <summary>Copies of θ and the moments, detached from this step's graph.</summary>
    public RefinerState Snapshot()
    {
        using var _ = no_grad();
        RequireLive(_parameters, "parameter");
        RequireLive(_m, "first moment");
        RequireLive(_v, "second moment");
        Tensor[] Copy(Tensor[] ts) => [.. ts.Select(t => t.detach().clone().MoveToOuterDisposeScope())];
        return new RefinerState(Copy(_parameters), Copy(_m), Copy(_v), _steps);
    }

    // Long click evaluations (G-BRS, f-BRS) died here on TorchSharp's bare "empty handle": say which tensor was gone.
    private static void RequireLive(Tensor[] tensors, string kind)
    {
        for (int i = 0; i < tensors.Length; i++)
            if (tensors[i].IsInvalid)
                throw new InvalidOperationException($"the refiner's {kind} {i} of {tensors.Length} was disposed before the click's snapshot");
    }
}
