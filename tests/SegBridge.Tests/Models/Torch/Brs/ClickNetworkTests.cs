using System.Text.Json;
using SegBridge.Models.Torch.Networks;
using SegBridge.Tests.Support;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Brs;

public sealed class ClickNetworkTests
{
    [Theory]
    [InlineData(18)]
    [InlineData(34)]
    [InlineData(50)]
    [InlineData(101)]
    public void Every_resnet_depth_builds_and_g_then_h_equals_the_whole_forward_pass(int depth)
    {
        manual_seed(depth);
        using var net = new ClickNetwork(new ClickNetworkConfig { Depth = depth, Width = 8, AsppChannels = 16, DecoderChannels = 16, LowLevelChannels = 8 });
        net.eval();
        using var _ = no_grad();
        var image = randn(1, 3, 64, 96);
        var clicks = rand(1, 2, 64, 96);
        var whole = net.forward(image, clicks);
        var (low, m) = net.Features(image, clicks);
        Assert.Equal([1L, 16, 4, 6], m.shape);   // ASPP at output stride 16
        Assert.Equal([1L, 8, 16, 24], low.shape); // low-level projection at stride 4
        var split = net.Head(m, low, 64, 96);
        Assert.Equal([1L, 1, 64, 96], whole.shape);
        Assert.True(whole.allclose(split), "g followed by h must be the network");
    }

    [Fact]
    public void A_guide_network_takes_the_image_alone_and_refuses_click_maps()
    {
        using var net = new ClickNetwork(new ClickNetworkConfig { Width = 8, AsppChannels = 16, DecoderChannels = 16, LowLevelChannels = 8, InputChannels = 3 });
        net.eval();
        using var _ = no_grad();
        Assert.Equal([1L, 1, 64, 64], net.forward(randn(1, 3, 64, 64), null).shape);
        var e = Assert.Throws<ArgumentException>(() => net.forward(randn(1, 3, 64, 64), rand(1, 2, 64, 64)));
        Assert.Contains("3 input channels", e.Message);
    }

    [SkippableFact]
    public async Task Train_guide_writes_a_guide_manifest_that_predicts_without_interactions()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-guide-").FullName;
        try
        {
            await TrainTiny("guide", "tiny-guide", dir);
            // A click manifest pointing at guide weights must be refused with the reason.
            var sha = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-guide.training.json"))).RootElement.GetProperty("sha256").GetString();
            File.WriteAllText(Path.Combine(dir, "wrong-kind.json"), $$"""{"id": "wrong-kind", "name": "x", "family": "torch/brs-click", "dimensions": "2d", "weights": [{"path": "weights/tiny-guide.safetensors", "sha256": "{{sha}}"}]}""");
            var (listCode, list, listErr) = await EngineCli.RunAsync("models", "list", "--json", "--models", dir);
            Assert.True(listCode == 0, listErr);
            using var models = JsonDocument.Parse(list);
            var all = models.RootElement.GetProperty("models").EnumerateArray().ToList();
            var guide = Assert.Single(all, m => m.GetProperty("id").GetString() == "tiny-guide");
            Assert.Equal("ready", guide.GetProperty("status").GetString());
            Assert.Equal("guide", guide.GetProperty("role").GetString());
            var wrong = Assert.Single(all, m => m.GetProperty("id").GetString() == "wrong-kind");
            Assert.Contains("not a click network", wrong.GetProperty("reason").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("""{"depth": 20}""", "depth is 20")]
    [InlineData("""{"inputChannels": 4}""", "inputChannels is 4")]
    [InlineData("""{"width": 4}""", "width is 4")]
    [InlineData("""{"asppChannels": 15}""", "asppChannels is 15")]
    [InlineData("""{"clickNormRadius": 0}""", "clickNormRadius is 0")]
    public void Bad_shapes_are_refused_naming_the_field(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ClickNetworkConfig.FromJson(json).Validate());
        Assert.Contains(message, e.Message);
    }

    [SkippableFact]
    public async Task Train_writes_weights_a_training_record_and_four_manifests_that_the_engine_loads()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-").FullName;
        try
        {
            await TrainTiny("brs-click", "tiny", dir);
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny.training.json")));
            Assert.Contains("--iterations 2", record.RootElement.GetProperty("command").GetString());
            Assert.Equal(1, record.RootElement.GetProperty("seed").GetInt32());
            var sha = record.RootElement.GetProperty("sha256").GetString();
            foreach (var method in new[] { "none", "f-brs", "g-brs", "cgam" })
                Assert.Contains(sha!, File.ReadAllText(Path.Combine(dir, $"tiny-{method}.json")));

            var (listCode, list, listErr) = await EngineCli.RunAsync("models", "list", "--json", "--models", dir);
            Assert.True(listCode == 0, listErr);
            using var models = JsonDocument.Parse(list);
            var tiny = models.RootElement.GetProperty("models").EnumerateArray().Where(m => m.GetProperty("id").GetString()!.StartsWith("tiny-")).ToList();
            Assert.Equal(4, tiny.Count);
            Assert.All(tiny, m => Assert.Equal("ready", m.GetProperty("status").GetString()));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Two iterations of a tiny network on EBHI's adeno_* patches: enough to exercise the whole command.</summary>
    private static async Task TrainTiny(string family, string name, string dir)
    {
        var (code, _, err) = await EngineCli.RunAsync("train", "--family", family, "--data", Path.Combine(RepoPaths.Data!, "ebhi") + ":pattern=adeno_*",
            "--out", dir, "--name", name, "--iterations", "2", "--batch", "2", "--crop", "64", "--backbone", "none", "--width", "8", "--aspp-channels", "16", "--decoder-channels", "16");
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Train_refuses_bad_options_naming_them()
    {
        var (code, _, err) = await EngineCli.RunAsync("train", "--family", "brs-click", "--data", "/nonexistent", "--out", "/tmp/x", "--crop", "50");
        Assert.Equal(2, code);
        Assert.Contains("--crop is 50", err);
    }
}

public sealed class LeakyReluTests
{
    [Fact]
    public void Our_leaky_relu_matches_libtorch_values_and_gradients()
    {
        using var x = TorchSharp.torch.randn(4, 3, 8, 8, requires_grad: true);
        using var module = new SegBridge.Models.Torch.Networks.LeakyRelu(0.2);
        using var ours = module.forward(x);
        using var reference = TorchSharp.torch.nn.functional.leaky_relu(x, 0.2);
        Assert.True(ours.allclose(reference, rtol: 0, atol: 0), "values differ");
        using var g1 = TorchSharp.torch.autograd.grad([ours.sum()], [x])[0];
        using var g2 = TorchSharp.torch.autograd.grad([reference.sum()], [x])[0];
        Assert.True(g1.allclose(g2, rtol: 0, atol: 0), "gradients differ");
        Assert.Empty(module.parameters());
    }
}
