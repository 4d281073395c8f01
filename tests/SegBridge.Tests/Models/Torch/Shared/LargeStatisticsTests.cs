using SegBridge.Models.Torch.Training;
using SegBridge.Models.Torch.Weights;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// Batch-norm variances beyond float16's range (the ImageNet stem's on 0–255 input): a half-precision weights
/// file keeps such a tensor in float32 instead of turning it into infinity, and a file that already holds
/// infinity there (written before) has those entries re-estimated from data, every other statistic untouched.
/// </summary>
public class LargeStatisticsTests
{
    [Fact]
    public void A_half_precision_file_keeps_a_tensor_beyond_float16_in_float32()
    {
        var path = Path.Combine(Path.GetTempPath(), $"segbridge-large-{Guid.NewGuid():N}.safetensors");
        try
        {
            var big = tensor(new float[] { 1f, 120_000f, 3.5f });
            var small = tensor(new float[] { 0.25f, -2f });
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["big"] = big, ["small"] = small }, new Dictionary<string, string>(), halfPrecision: true);
            var read = SafeTensors.Read(path).Tensors;
            Assert.Equal(new float[] { 1f, 120_000f, 3.5f }, read["big"].data<float>().ToArray());
            Assert.Equal(new float[] { 0.25f, -2f }, read["small"].data<float>().ToArray());
            var bytes = File.ReadAllBytes(path);
            var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToInt64(bytes, 0));
            Assert.Contains("\"big\":{\"dtype\":\"F32\"", header);
            Assert.Contains("\"small\":{\"dtype\":\"F16\"", header);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Infinite_variances_are_re_estimated_from_the_batches_and_nothing_else_moves()
    {
        manual_seed(1);
        var network = nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()), ("conv2", nn.Conv2d(4, 4, 1)), ("bn2", nn.BatchNorm2d(4)));
        network.eval();
        var bn = (TorchSharp.Modules.BatchNorm2d)network.named_modules().Single(m => m.name == "bn").module;
        var bn2 = (TorchSharp.Modules.BatchNorm2d)network.named_modules().Single(m => m.name == "bn2").module;
        using (no_grad())
        {
            bn.running_var![1] = float.PositiveInfinity;
            bn.running_mean!.copy_(tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }));
            bn2.running_var!.fill_(2.0);
        }
        var before1 = bn.running_var!.clone();
        var before2 = (bn2.running_mean!.clone(), bn2.running_var!.clone());
        var inputs = Enumerable.Range(0, 60).Select(i => randn(8, 3, 16, 16) * 3).ToList();
        int repaired = BatchNormRepair.RepairNonFinite(network, i => (inputs[i], null), (x, _) => network.forward(x), batches: 60);
        Assert.Equal(1, repaired);
        Assert.False(network.training);
        Assert.True(bn.running_var!.isfinite().all().item<bool>());
        // The repaired channel holds the variance the convolution's output channel 1 has on such data.
        Tensor conv1;
        using (no_grad()) conv1 = ((TorchSharp.Modules.Conv2d)network.named_modules().Single(m => m.name == "conv").module).forward(cat(inputs, 0))[.., 1];
        Assert.InRange(bn.running_var![1].item<float>() / conv1.var().item<float>(), 0.9, 1.1);
        foreach (int c in new[] { 0, 2, 3 }) Assert.Equal(before1[c].item<float>(), bn.running_var![c].item<float>());
        Assert.Equal(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }, bn.running_mean!.data<float>().ToArray());
        Assert.True(bn2.running_mean!.allclose(before2.Item1, 0, 0) && bn2.running_var!.allclose(before2.Item2, 0, 0));
        Assert.Equal(0, BatchNormRepair.RepairNonFinite(network, _ => throw new InvalidOperationException("no batch needed"), (x, _) => network.forward(x)));
    }
}
