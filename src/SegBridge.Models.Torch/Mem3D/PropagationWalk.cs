using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// The memory policy of bidirectional propagation (paper §2.1), on slices at f_Mem's size: from the start slice
/// towards both ends, each slice is read against (a) every interactive slice with its user mask, (b) the previous
/// slice with its predicted probability and (c) every N-th propagated slice of this direction. An interactive slice
/// met on the way keeps its user mask and becomes the previous slice. Inference (<see cref="Mem3DPropagator"/>) and
/// f_QA's last training stage both walk through here, so f_QA learns on the memories it is used with.
/// </summary>
public static class PropagationWalk
{
    /// <summary>One propagated slice: F_k (1,C,h,w) and S_k logits (1,1,S,S), disposed after the call.</summary>
    public delegate void Visit(int z, Tensor features, Tensor logits);

    /// <param name="smallSlice">Slice z as (1,1,S,S) on the network's device; called once per slice and direction.</param>
    /// <param name="interactiveMasks">(1,1,S,S) masks of the interactive slices; must hold <paramref name="start"/>.</param>
    /// <param name="low">The lowest slice to walk to (0: the volume's end).</param>
    /// <param name="high">The highest slice to walk to (depth − 1: the volume's end).</param>
    public static void Run(Mem3DNetwork network, int depth, Func<int, Tensor> smallSlice, IReadOnlyDictionary<int, Tensor> interactiveMasks,
        int start, int memoryEvery, int low, int high, Visit visit, CancellationToken ct)
    {
        if (!interactiveMasks.ContainsKey(start)) throw new ArgumentException($"start slice {start} is not one of the interactive slices");
        if (low < 0 || high >= depth || low > start || high < start) throw new ArgumentOutOfRangeException(nameof(low), $"walk range [{low}, {high}] must hold start slice {start} inside [0, {depth - 1}]");
        if (memoryEvery < 1) throw new ArgumentOutOfRangeException(nameof(memoryEvery), memoryEvery, "memoryEvery must be >= 1");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var interactiveCells = interactiveMasks.OrderBy(kv => kv.Key).Select(kv => network.Memorize(smallSlice(kv.Key), kv.Value)).ToList();
        foreach (int step in new[] { +1, -1 })
        {
            var prevSlice = smallSlice(start);
            var prevMask = interactiveMasks[start];
            bool prevIsInteractive = true;
            var every = new List<Mem3DNetwork.MemoryCell>();
            int propagated = 0;
            for (int z = start + step; z >= low && z <= high; z += step)
            {
                ct.ThrowIfCancellationRequested();
                var slice = smallSlice(z);
                if (interactiveMasks.TryGetValue(z, out var userMask))
                {
                    (prevSlice, prevMask, prevIsInteractive) = (slice, userMask, true);
                    continue;
                }
                using var inner = NewDisposeScope();
                var memory = new List<Mem3DNetwork.MemoryCell>(interactiveCells);
                if (!prevIsInteractive) memory.Add(network.Memorize(prevSlice, prevMask));
                memory.AddRange(every);
                var (features, logits) = network.Read(slice, memory);
                visit(z, features, logits);
                var probability = sigmoid(logits).MoveToOuterDisposeScope();
                if (++propagated % memoryEvery == 0)
                {
                    var cell = network.Memorize(slice, probability);
                    cell.Key.MoveToOuterDisposeScope(); cell.Value.MoveToOuterDisposeScope();
                    every.Add(cell);
                }
                (prevSlice, prevMask, prevIsInteractive) = (slice, probability, false);
            }
        }
    }
}
