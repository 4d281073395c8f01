using TorchSharp;
using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// One click step of backpropagating refinement on a shared, frozen <see cref="ClickNetwork"/>, as the CGAM
/// authors run it: the first click is a plain pass with the click maps; from the second on, θ (f-BRS, G-BRS or
/// CGAM) and its Adam moments continue from the previous click's <see cref="RefinerState"/> and take up to
/// <c>Iterations</c> steps through h only. g sees at most <c>NetClicksLimit</c> clicks (the authors'
/// <c>net_clicks_limit</c> = 8): later clicks act through θ alone, so from then on g's output is the same at
/// every click and <see cref="FeatureCache"/> keeps it. Safe to call from several sessions at once: the network
/// is frozen and in eval mode, and each call builds its own refiner and optimiser.
/// </summary>
public sealed class BrsPredictor
{
    private readonly ClickNetwork _network;
    private readonly Device _device;
    private readonly IReadOnlyDictionary<string, Tensor>? _cgamStart;

    public RefinementSettings Settings { get; }

    public BrsPredictor(ClickNetwork network, Device device, RefinementSettings settings, IReadOnlyDictionary<string, Tensor>? cgamStart = null)
    {
        _network = network; _device = device; Settings = settings;
        _cgamStart = cgamStart?.ToDictionary(kv => kv.Key, kv => kv.Value.to(device));
        if (settings.Method == RefinementMethod.Cgam && _cgamStart is null)
            throw new ArgumentException("CGAM needs its θ₀ (the weights file's cgam.* tensors)");
    }

    /// <summary>The result of one step: logits (1,1,H,W) on the CPU and the refiner's state after this click (null while nothing was refined).</summary>
    public sealed record Step(Tensor Logits, RefinerState? State);

    /// <param name="image">(1,3,H,W) normalised image on any device, in the network's dtype.</param>
    /// <param name="clicks">Every click so far, the newest last, in network-input pixels.</param>
    /// <param name="previous">The refiner's state after the previous click, or null to start from θ₀.</param>
    /// <param name="features">g's output for this image and these clicks when the caller has it (<see cref="FeatureCache"/>).</param>
    public Step Predict(Tensor image, IReadOnlyList<ClickPoint> clicks, RefinerState? previous, CancellationToken ct, FeatureCache? features = null)
    {
        using var scope = NewDisposeScope();
        long h = image.shape[2], w = image.shape[3];
        var dtype = _network.parameters().First().dtype;
        var (low, m) = Features(image, clicks, features, dtype);

        if (Settings.Method == RefinementMethod.None || clicks.Count <= Settings.OptimizeAfterClicks)
        {
            using var _ = no_grad();
            var plain = _network.Head(m, low, h, w).cpu();
            return new Step(plain.MoveToOuterDisposeScope(), null);
        }

        using var head = _network.PrepareHead(low, h, w);
        // Disposed with the click: a Conv2d's weights (G-BRS, CGAM) sit outside every dispose scope.
        using var refiner = CreateRefiner(m);
        refiner.to(_device).to(dtype);
        var adam = new RefinerAdam(refiner.parameters(), Settings.LearningRate, Settings.Beta1, Settings.Beta2, previous);
        var disks = Settings.Method == RefinementMethod.Cgam ? ClickDisksAt(clicks, h, w, m.shape[2], m.shape[3], dtype) : zeros([1, 2, m.shape[2], m.shape[3]], dtype, _device);
        var outside = ClickRegions.OutsideDisk(clicks[^1], Radius(clicks[^1]), h, w).to(dtype, _device);
        var (index, sign, target) = ClickTensors(clicks, h, w);
        var (positiveSquares, negativeSquares) = ClickRegions.Squares(clicks, h, w);
        positiveSquares = positiveSquares.to(dtype, _device);
        negativeSquares = negativeSquares.to(dtype, _device);

        Tensor? before = null;
        for (int i = 0; i < Settings.Iterations; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            adam.ZeroGrad();
            var logits = head.Logits(refiner.forward(m, disks));
            // The keep term compares with the answer θ gave as this click began (the first step's, before any update).
            if (before is null) { before = logits.detach().clone(); before.MoveToOuterDisposeScope(); }
            Tensor loss;
            bool satisfied;
            if (Settings.Method == RefinementMethod.Fbrs)
                (loss, satisfied) = (RefinementLoss.Probability(sigmoid(logits), index, sign, target, sigmoid(before), outside, Settings.Lambda), false);
            else
                (loss, satisfied) = RefinementLoss.Hinge(logits, positiveSquares, negativeSquares, before, outside, Settings.Lambda);
            loss.backward();
            adam.Step();
            // The authors step once more on the iteration that finds every click satisfied, then stop.
            if (satisfied && Settings.EarlyStop) break;
        }
        Tensor result;
        using (no_grad()) result = head.Logits(refiner.forward(m, disks)).cpu();
        var state = adam.Snapshot();
        return new Step(result.MoveToOuterDisposeScope(), state);
    }

    /// <summary>g's low-level projection and ASPP output for the first NetClicksLimit clicks (all of them for method none), from the cache when it has them.</summary>
    private (Tensor Low, Tensor M) Features(Tensor image, IReadOnlyList<ClickPoint> clicks, FeatureCache? cache, ScalarType dtype)
    {
        var seen = Settings.Method == RefinementMethod.None ? clicks : clicks.Take(Settings.NetClicksLimit).ToList();
        if (cache?.Get(seen) is { } cached) return cached;
        long h = image.shape[2], w = image.shape[3];
        var maps = ClickEncoding.Encode(seen, (int)h, (int)w, _network.Config.ClickNormRadius).to(dtype, _device);
        Tensor low, m;
        using (no_grad()) (low, m) = _network.Features(image.to(dtype, _device), maps);
        cache?.Put(seen, low, m);
        return (low, m);
    }

    private double Radius(ClickPoint click) => click.Radius > 0 ? click.Radius : Settings.DefaultClickRadius;

    /// <summary>
    /// C_d for CGAM as its authors make it: each click's disk (its radius) at network resolution, positive and
    /// negative channels, max-pooled with a kernel of round(H / h_m) and zero-padded (centred) to m's size.
    /// </summary>
    private Tensor ClickDisksAt(IReadOnlyList<ClickPoint> clicks, long h, long w, long hm, long wm, ScalarType dtype)
    {
        var disks = ClickRegions.Disks(clicks, Radius, h, w).to(dtype, _device);
        long kernel = Math.Max(1, (long)Math.Round((double)h / hm));
        var pooled = nn.functional.max_pool2d(disks, kernel, kernel);
        long dy = hm - pooled.shape[2], dx = wm - pooled.shape[3];
        return dy == 0 && dx == 0 ? pooled : nn.functional.pad(pooled, [dx / 2, dx - dx / 2, dy / 2, dy - dy / 2]);
    }

    private FeatureRefiner CreateRefiner(Tensor m)
    {
        int c = _network.FeatureChannels;
        switch (Settings.Method)
        {
            case RefinementMethod.Fbrs: return new FbrsRefiner(c);
            case RefinementMethod.Gbrs: return new GbrsRefiner(c, m.shape[2], m.shape[3]);
            default:
                var cgam = new CgamRefiner(c);
                cgam.SetInitial(_cgamStart!);
                return cgam;
        }
    }

    private (Tensor Index, Tensor Sign, Tensor Target) ClickTensors(IReadOnlyList<ClickPoint> clicks, long height, long width)
    {
        foreach (var c in clicks)
            if (!(Math.Round(c.X) >= 0 && Math.Round(c.X) < width && Math.Round(c.Y) >= 0 && Math.Round(c.Y) < height))
                throw new ArgumentOutOfRangeException(nameof(clicks), $"click ({c.X:F1}, {c.Y:F1}) is outside the {width}x{height} network input");
        var index = clicks.Select(c => (long)Math.Round(c.Y) * width + (long)Math.Round(c.X)).ToArray();
        var sign = clicks.Select(c => c.Positive ? 1f : -1f).ToArray();
        var target = clicks.Select(c => c.Positive ? 1f : 0f).ToArray();
        var dtype = _network.parameters().First().dtype;
        return (tensor(index).to(_device), tensor(sign).to(dtype, _device), tensor(target).to(dtype, _device));
    }
}
