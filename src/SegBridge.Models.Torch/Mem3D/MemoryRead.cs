using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// The memory read of eq. 4–6: the similarity of every memory position j with every query position i is the
/// cosine of their keys (scaled by 1/τ), normalised by a softmax over ALL memory positions (every cell of every
/// memory slice); the read value at i is the weighted sum of the memory values. Keys (N,Ck,H,W) per query, memory
/// keys (N,T,Ck,H,W) and values (N,T,Cv,H,W) for T memory slices.
/// </summary>
public static class MemoryRead
{
    /// <summary>The attention weights (N, T·H·W memory positions, H·W query positions); each column sums to 1.</summary>
    public static Tensor Weights(Tensor queryKey, Tensor memoryKeys, double scale)
    {
        using var scope = NewDisposeScope();
        long n = queryKey.shape[0], ck = queryKey.shape[1];
        var q = nn.functional.normalize(queryKey.reshape(n, ck, -1), p: 2, dim: 1);                         // N,Ck,HW
        var m = nn.functional.normalize(memoryKeys.transpose(1, 2).reshape(n, ck, -1), p: 2, dim: 1);       // N,Ck,THW
        var similarity = matmul(m.transpose(1, 2), q) * Scalars.Of(scale);                                               // N,THW,HW
        return similarity.softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>H_k: the memory values read at every query position, (N,Cv,H,W).</summary>
    public static Tensor Read(Tensor queryKey, Tensor memoryKeys, Tensor memoryValues, double scale)
    {
        using var scope = NewDisposeScope();
        long n = queryKey.shape[0], cv = memoryValues.shape[2];
        var weights = Weights(queryKey, memoryKeys, scale);
        var values = memoryValues.transpose(1, 2).reshape(n, cv, -1);                                         // N,Cv,THW
        return matmul(values, weights).reshape(n, cv, queryKey.shape[2], queryKey.shape[3]).MoveToOuterDisposeScope();
    }
}
