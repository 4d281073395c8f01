using SegBridge.Models.Torch.Brs;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Brs;

public sealed class RefinerAdamTests
{
    [Fact]
    public void Snapshot_copies_theta_and_moments_that_outlive_the_optimiser()
    {
        using var p = zeros(3).requires_grad_();
        var adam = new RefinerAdam([p], 0.1, 0.9, 0.999);
        p.sum().backward();
        adam.Step();
        using var state = adam.Snapshot();
        Assert.Equal(1, state.Steps);
        using (no_grad()) p.zero_();
        // One Adam step with gradient 1 moves θ by −lr; the snapshot keeps it after θ itself changed.
        Assert.All(state.Parameters[0].data<float>().ToArray(), v => Assert.Equal(-0.1f, v, 4));
        Assert.All(state.FirstMoments[0].data<float>().ToArray(), v => Assert.Equal(0.1f, v, 4));
    }

    [Fact]
    public void Snapshot_of_a_disposed_tensor_names_it()
    {
        var p = zeros(2).requires_grad_();
        var adam = new RefinerAdam([p], 0.1, 0.9, 0.999);
        p.Dispose();
        var error = Assert.Throws<InvalidOperationException>(() => adam.Snapshot());
        Assert.Contains("parameter 0 of 1", error.Message);
    }
}
