using SegBridge.Models.Torch.Training;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Mem3D;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>f_In's training priors (<see cref="Mem3DTrainer.DegradedPrior"/>): propagated-looking, bounded, seeded.</summary>
public sealed class Mem3DPriorTests
{
    private const int Size = 96;

    /// <summary>A disk of radius 30 in the middle of the ROI crop, as the bilinear truth crop would roughly be.</summary>
    private static Tensor Truth()
    {
        var ys = arange(Size, dtype: ScalarType.Float32).view(1, 1, Size, 1) + 0.5f;
        var xs = arange(Size, dtype: ScalarType.Float32).view(1, 1, 1, Size) + 0.5f;
        return ((xs - 48).square() + (ys - 48).square()).le(900).to_type(ScalarType.Float32);
    }

    [Fact]
    public void Priors_are_bounded_and_the_same_for_a_seed()
    {
        using var scope = NewDisposeScope();
        var truth = Truth();
        Random a = new(7), b = new(7);
        for (int i = 0; i < 50; i++)
        {
            var pa = Mem3DTrainer.DegradedPrior(truth, a, Size);
            var pb = Mem3DTrainer.DegradedPrior(truth, b, Size);
            Assert.Equal([1L, 1, Size, Size], pa.shape);
            Assert.True(pa.eq(pb).all().item<bool>(), $"draw {i} differs for the same seed");
            Assert.True(pa.min().item<float>() >= 0 && pa.max().item<float>() <= 1, $"draw {i} leaves [0, 1]");
        }
    }

    [Fact]
    public void Priors_are_mostly_degraded_and_include_empty_shrunk_grown_and_soft_masks()
    {
        using var scope = NewDisposeScope();
        var truth = Truth();
        float area = truth.sum().item<float>();
        var rng = new Random(3);
        int empty = 0, shrunk = 0, grown = 0, soft = 0, exact = 0;
        const int n = 400;
        for (int i = 0; i < n; i++)
        {
            var p = Mem3DTrainer.DegradedPrior(truth, rng, Size);
            var lo = p.min().item<float>();
            var on = p.gt(lo + 0.4f).to_type(ScalarType.Float32); // above the mask's own background level
            float got = on.sum().item<float>(), inter = (on * truth).sum().item<float>();
            if (p.max().item<float>() - lo < 0.4f) empty++;
            else if (got < 0.8 * area) shrunk++;
            else if (got > 1.2 * area) grown++;
            if (inter == area && got == area) exact++;
            if (p.gt(lo + 0.05f).logical_and(p.lt(p.max() - 0.05f)).sum().item<long>() > 200) soft++;
        }
        Assert.InRange(empty, n / 40, n / 4);      // 10 % drawn empty, plus masks eroded away
        Assert.True(shrunk > n / 5, $"{shrunk} shrunk of {n}");
        Assert.True(grown > n / 20, $"{grown} grown of {n}");
        Assert.True(soft > n / 5, $"{soft} soft of {n}");
        Assert.True(exact < n / 10, $"{exact} priors equal the truth");
    }
}
