using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// Re-estimates batch-norm running variances that are not finite, from training batches. A weights file
/// written before large variances were kept in float32 (the ImageNet stem's reach 10⁵, beyond float16) holds
/// infinity there; training cannot recover it, since the running average of infinity stays infinite, and in
/// eval mode those channels then output a constant. The repair sets them finite, runs the batches in train mode
/// so the running averages converge to the data's variance, and keeps only the repaired entries: every other
/// statistic is restored as it was.
/// </summary>
public static class BatchNormRepair
{
    /// <summary>Returns how many variance entries were repaired (0: nothing to do, no batch is drawn).</summary>
    public static int RepairNonFinite(nn.Module network, Func<int, (Tensor Input, Tensor? Extra)> batch, Func<Tensor, Tensor?, Tensor> forward, int batches = 40)
    {
        var norms = network.modules().OfType<BatchNorm2d>().Where(b => b.running_var is { } v && !v.isfinite().all().item<bool>()).ToList();
        if (norms.Count == 0) return 0;
        var all = network.modules().OfType<BatchNorm2d>().ToList();
        using var _ = no_grad();
        var saved = all.Select(b => (Mean: b.running_mean!.clone(), Var: b.running_var!.clone())).ToList();
        var broken = norms.ToDictionary(b => b, b => ~b.running_var!.isfinite());
        foreach (var (norm, mask) in broken) norm.running_var!.masked_fill_(mask, Scalars.Of(1.0));
        bool wasTraining = network.training;
        network.train();
        for (int i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            var (input, extra) = batch(i);
            forward(input, extra);
        }
        if (!wasTraining) network.eval();
        for (int k = 0; k < all.Count; k++)
        {
            var norm = all[k];
            var repaired = broken.TryGetValue(norm, out var mask) ? torch.where(mask, norm.running_var!, saved[k].Var) : saved[k].Var;
            norm.running_var!.copy_(repaired);
            norm.running_mean!.copy_(saved[k].Mean);
        }
        return broken.Values.Sum(m => (int)m.sum().item<long>());
    }
}
