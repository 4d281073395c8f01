using TorchSharp;
using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Refinement;

/// <summary>
/// One click step of backpropagating refinement on a shared, frozen <see cref="ClickNetwork"/>: g runs once,
/// then θ (f-BRS, G-BRS or CGAM) starts from the previous click's value and takes <c>Iterations</c> Adam steps
/// on eq. 2 through h only. Safe to call from several sessions at once: the network is frozen and in eval
/// mode, and each call builds its own refiner and optimiser.
/// </summary>
public sealed class BrsPredictor
{
    private readonly ClickNetwork _network;
    private readonly Device _device;
    private readonly Tensor? _cgamWc, _cgamWm;

    public RefinementSettings Settings { get; }

    public BrsPredictor(ClickNetwork network, Device device, RefinementSettings settings, Tensor? cgamInitialWc = null, Tensor? cgamInitialWm = null)
    {
        _network = network; _device = device; Settings = settings;
        _cgamWc = cgamInitialWc?.to(device); _cgamWm = cgamInitialWm?.to(device);
        if (settings.Method == RefinementMethod.Cgam && (_cgamWc is null || _cgamWm is null))
            throw new ArgumentException("CGAM needs its initial W_C and W_m (the weights file's cgam.w_c.weight and cgam.w_m.weight)");
    }

    /// <summary>The result of one step: logits (1,1,H,W) on the CPU and θ after this click (null for method none).</summary>
    public sealed record Step(Tensor Logits, Tensor[]? Theta);

    /// <param name="image">(1,3,H,W) normalised image on any device.</param>
    /// <param name="clicks">Every click so far, the newest last, in network-input pixels.</param>
    /// <param name="previousTheta">θ after the previous click, or null to start from θ₀.</param>
    public Step Predict(Tensor image, IReadOnlyList<ClickPoint> clicks, Tensor[]? previousTheta, CancellationToken ct)
    {
        using var scope = NewDisposeScope();
        long h = image.shape[2], w = image.shape[3];
        var x = image.to(_device);
        var maps = ClickEncoding.Encode(clicks, (int)h, (int)w, _network.Config.ClickNormRadius).to(_device);
        Tensor low, m;
        using (no_grad()) (low, m) = _network.Features(x, maps);

        if (Settings.Method == RefinementMethod.None || clicks.Count == 0)
        {
            using var _ = no_grad();
            var plain = _network.Head(m, low, h, w).cpu();
            return new Step(plain.MoveToOuterDisposeScope(), previousTheta);
        }

        var refiner = CreateRefiner(m);
        refiner.to(_device);
        if (previousTheta is not null) refiner.Restore(previousTheta);
        var mapsAtM = nn.functional.interpolate(maps, [m.shape[2], m.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);

        var (index, sign, target) = ClickTensors(clicks, h, w);
        var outside = OutsideNewest(clicks[^1], h, w);
        Tensor previous;
        using (no_grad()) previous = sigmoid(_network.Head(refiner.forward(m, mapsAtM), low, h, w));

        var optimizer = optim.Adam(refiner.parameters(), Settings.LearningRate, Settings.Beta1, Settings.Beta2);
        for (int i = 0; i < Settings.Iterations; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var probability = sigmoid(_network.Head(refiner.forward(m, mapsAtM), low, h, w));
            var loss = RefinementLoss.Compute(probability, index, sign, target, previous, outside, Settings.Lambda);
            loss.backward();
            optimizer.step();
        }
        Tensor logits;
        using (no_grad()) logits = _network.Head(refiner.forward(m, mapsAtM), low, h, w).cpu();
        var theta = refiner.Snapshot();
        foreach (var t in theta) t.MoveToOuterDisposeScope();
        return new Step(logits.MoveToOuterDisposeScope(), theta);
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
                cgam.SetInitial(_cgamWc!, _cgamWm!);
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
        return (tensor(index).to(_device), tensor(sign).to(_device), tensor(target).to(_device));
    }

    /// <summary>M of eq. 2: 1 outside the newest click's disk (its radius, or the default when it has none).</summary>
    private Tensor OutsideNewest(ClickPoint newest, long height, long width)
    {
        double r = newest.Radius > 0 ? newest.Radius : Settings.DefaultClickRadius;
        var mask = new float[height * width];
        for (long y = 0; y < height; y++)
            for (long x = 0; x < width; x++)
            {
                double dx = x - newest.X, dy = y - newest.Y;
                mask[y * width + x] = dx * dx + dy * dy > r * r ? 1f : 0f;
            }
        return tensor(mask, [1, 1, height, width]).to(_device);
    }
}
