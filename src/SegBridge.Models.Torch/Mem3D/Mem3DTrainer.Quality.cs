using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Mem3D;

public sealed partial class Mem3DTrainer
{
    /// <summary>One propagated slice for f_QA: F_k, S_k logits (both on the CPU) and the true IoU of S_k &gt; 0.</summary>
    private sealed record QualitySample(Tensor Features, Tensor Logits, float Iou);

    /// <summary>
    /// Stage 3, f_QA on whole propagations: f_Mem is frozen, each propagation starts from an object slice whose
    /// interactive mask is the truth or, half the time, a degraded copy (<see cref="DegradedPrior"/> at slice size;
    /// f_In's masks are not the truth), with a second interactive slice half the time (a later round), and walks
    /// the whole volume through <see cref="PropagationWalk"/> as inference does. Every slice whose mask is not
    /// empty — the slices volumes/suggest ranks — becomes a sample; f_QA is fitted to their true IoU by MSE.
    /// Stage 2 trains f_QA only on 5-slice runs next to a true mask, where masks are good; far from the
    /// interactive slice it then scored under-segmented masks (IoU 0.3) as high as good ones (examples/mem3d).
    /// </summary>
    private void TrainQuality(Mem3DNetwork network, List<Prepared> data, Stopwatch sw, IProgress<Progress>? progress, CancellationToken ct)
    {
        if (options.QualityPropagations == 0 || options.QualityIterations == 0) return;
        var rng = new Random(unchecked(options.Seed * 7919 + 2));
        int size = options.Network.SliceSize;
        var samples = new List<QualitySample>();
        for (int n = 0; n < options.QualityPropagations; n++)
        {
            var p = PickCase(data, rng);
            var masks = new Dictionary<int, Tensor>();
            int start = p.ObjectSlices[rng.Next(p.ObjectSlices.Length)];
            masks[start] = StartMask(p, start, rng, size);
            int second = p.ObjectSlices[rng.Next(p.ObjectSlices.Length)];
            if (rng.NextDouble() < 0.5 && second != start) masks[second] = StartMask(p, second, rng, size);
            int depth = (int)p.SmallSlices.shape[0];
            PropagationWalk.Run(network, depth, z => p.SmallSlices[z].unsqueeze(0).to(device), masks, start, options.MemoryEvery, 0, depth - 1, (z, features, logits) =>
            {
                if (!logits.gt(Scalars.Of(0)).any().item<bool>()) return;
                float iou = TrueIou(logits, p.SmallTruth[z].unsqueeze(0).to(device)).item<float>();
                samples.Add(new(features.cpu().detach().DetachFromDisposeScope(), logits.cpu().detach().DetachFromDisposeScope(), iou));
            }, ct);
            foreach (var m in masks.Values) m.Dispose();
            progress?.Report(new("f_QA propagations", n + 1, options.QualityPropagations, double.NaN, double.NaN, sw.Elapsed));
        }
        try
        {
            if (samples.Count == 0) return;
            var optimizer = optim.Adam(network.f_qa.parameters(), options.LearningRate);
            var error = new RunningLoss(0.95);
            for (int it = 0; it < options.QualityIterations; it++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = Enumerable.Range(0, options.QualityBatch).Select(_ => samples[rng.Next(samples.Count)]).ToList();
                var features = cat(batch.Select(s => s.Features).ToList(), 0).to(device);
                var logits = cat(batch.Select(s => s.Logits).ToList(), 0).to(device);
                var iou = tensor(batch.Select(s => s.Iou).ToArray(), device: device);
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(network.f_qa.forward(features, logits), iou);
                loss.backward();
                optimizer.step();
                error.Add(Math.Sqrt(loss.item<float>()));
                progress?.Report(new("f_QA", it + 1, options.QualityIterations, error.Value, error.Value, sw.Elapsed));
            }
        }
        finally
        {
            foreach (var s in samples) { s.Features.Dispose(); s.Logits.Dispose(); }
        }
    }

    /// <summary>The interactive slice's (1,1,S,S) mask: the truth, or half the time a degraded copy, never empty.</summary>
    private Tensor StartMask(Prepared p, int z, Random rng, int size)
    {
        using var scope = NewDisposeScope();
        var truth = p.SmallTruth[z].unsqueeze(0);
        var mask = truth;
        if (rng.NextDouble() < 0.5)
        {
            var degraded = DegradedPrior(truth, rng, size).gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
            if (degraded.sum().item<float>() > 0) mask = degraded;
        }
        return mask.to(device).MoveToOuterDisposeScope();
    }
}
