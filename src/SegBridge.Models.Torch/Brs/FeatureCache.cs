using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// g's output for one session's image and the clicks g last saw. Once a session passes the network's click
/// limit g sees the same clicks at every click, so the cache answers and a click costs the refinement steps
/// through h alone. One entry: a different click list replaces it.
/// </summary>
public sealed class FeatureCache : IDisposable
{
    private List<ClickPoint>? _clicks;
    private Tensor? _low, _m;

    public (Tensor Low, Tensor M)? Get(IReadOnlyList<ClickPoint> clicks)
        => _clicks is not null && _clicks.SequenceEqual(clicks) ? (_low!, _m!) : null;

    public void Put(IReadOnlyList<ClickPoint> clicks, Tensor low, Tensor m)
    {
        Dispose();
        _clicks = [.. clicks];
        _low = low.detach().clone().DetachFromDisposeScope();
        _m = m.detach().clone().DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _low?.Dispose();
        _m?.Dispose();
        (_clicks, _low, _m) = (null, null, null);
    }
}
