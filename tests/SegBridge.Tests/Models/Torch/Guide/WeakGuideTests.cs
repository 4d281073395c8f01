using System.Text.Json;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Guide;

namespace SegBridge.Tests.Models.Torch.Guide;

/// <summary>The weakly supervised guide (Ciga et al. 2021): classification head, labels from names, mask share, trainer and `train --family weak-guide`.</summary>
public sealed class WeakGuideTests
{
    internal static ClickNetworkConfig Tiny => new() { Width = 8, AsppChannels = 16, DecoderChannels = 16, LowLevelChannels = 8, InputChannels = 3 };

    [Fact]
    public void The_head_maps_segmentation_logits_to_class_logits_and_refuses_other_shapes()
    {
        using var head = new ClassificationHead(6);
        Assert.Equal([2L, 6], head.forward(randn(2, 1, 40, 56)).shape);
        Assert.Contains("(N,1,H,W)", Assert.Throws<ArgumentException>(() => head.forward(randn(2, 3, 40, 40))).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => new ClassificationHead(1)).Message);
    }

    [Fact]
    public void The_class_loss_changes_the_segmentation_network_only_through_its_map()
    {
        manual_seed(3);
        using var net = new ClickNetwork(Tiny);
        using var head = new ClassificationHead(3);
        var images = randn(4, 3, 64, 64);
        var labels = tensor(new long[] { 0, 1, 2, 1 });

        // Through the map: every part of the segmentation network gets a gradient from the class loss.
        nn.functional.cross_entropy(head.forward(net.forward(images, null)), labels).backward();
        var grads = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.All(grads, g => Assert.True(g.Value is not null && g.Value.abs().sum().item<float>() > 0, $"{g.Key} got no gradient from the class loss"));

        // One Adam step on the class loss alone moves the segmentation network's weights.
        var before = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var optimizer = optim.Adam(net.parameters().Concat(head.parameters()), 1e-3);
        optimizer.step();
        Assert.Contains(net.named_parameters(), p => !p.parameter.detach().allclose(before[p.name]));

        // Cut the map and nothing reaches the network: the head has no other path to it.
        net.zero_grad();
        nn.functional.cross_entropy(head.forward(net.forward(images, null).detach()), labels).backward();
        Assert.All(net.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
    }

    [Theory]
    [InlineData("adeno_001", "adeno")]
    [InlineData("Polyp_12_b", "polyp")]
    [InlineData("serrated_x", "serrated")]
    public void The_class_is_the_prefix_before_the_first_underscore(string name, string expected) => Assert.Equal(expected, WeakLabels.ClassPrefix(name));

    [Theory]
    [InlineData("noprefix", "'noprefix' has no class prefix")]
    [InlineData("_001", "'_001' has no class prefix")]
    [InlineData("a.b_1", "class prefix 'a.b'")]
    public void Names_without_a_usable_prefix_are_refused_naming_them(string name, string message)
        => Assert.Contains(message, Assert.Throws<ArgumentException>(() => WeakLabels.ClassPrefix(name)).Message);

    [Fact]
    public void Classes_are_sorted_and_one_class_is_not_enough()
    {
        var (classes, indices) = WeakLabels.Classes(["polyp_1", "adeno_1", "polyp_2", "normal_1"]);
        Assert.Equal(["adeno", "normal", "polyp"], classes);
        Assert.Equal([2, 0, 2, 1], indices);
        Assert.Contains("at least 2 classes; found 1 (adeno)", Assert.Throws<ArgumentException>(() => WeakLabels.Classes(["adeno_1", "adeno_2"])).Message);
    }

    [Fact]
    public void The_masked_share_is_fixed_by_the_seed_and_rounded_with_at_least_one()
    {
        var a = WeakLabels.MaskedShare(150, 0.3, 7);
        Assert.Equal(a, WeakLabels.MaskedShare(150, 0.3, 7));
        Assert.Equal(45, a.Count(k => k));
        Assert.NotEqual(a, WeakLabels.MaskedShare(150, 0.3, 8));
        Assert.Single(WeakLabels.MaskedShare(5, 0.01, 1), k => k);
        Assert.All(WeakLabels.MaskedShare(10, 1.0, 1), Assert.True);
        Assert.Empty(WeakLabels.MaskedShare(0, 0.5, 1));
        Assert.Throws<ArgumentException>(() => WeakLabels.MaskedShare(10, 0, 1));
        Assert.Throws<ArgumentException>(() => WeakLabels.MaskedShare(10, 1.5, 1));
    }

    [Fact]
    public async Task Train_weak_guide_writes_a_guide_manifest_the_engine_loads_and_runs()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-train-weak-").FullName;
        try
        {
            var data = SyntheticFolder(Path.Combine(dir, "data"), ["alpha_1", "alpha_2", "alpha_3", "beta_1", "beta_2", "beta_3"]);
            var outDir = Path.Combine(dir, "out");
            var (code, _, err) = await EngineCli.RunAsync("train", "--family", "weak-guide", "--data", data + ":pattern=alpha_*", "--class-data", data, "--mask-share", "0.5",
                "--out", outDir, "--name", "tiny-weak", "--iterations", "2", "--batch", "2", "--crop", "32", "--backbone", "none", "--width", "8", "--aspp-channels", "16", "--decoder-channels", "16", "--threads", "1");
            Assert.True(code == 0, err);
            Assert.Contains("image-level steps on 6 samples of 2 classes (alpha, beta)", err);

            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "tiny-weak.json")));
            Assert.Equal("torch/guide", manifest.RootElement.GetProperty("family").GetString());
            Assert.Equal("guide", manifest.RootElement.GetProperty("role").GetString());
            Assert.Contains("Ciga et al.", manifest.RootElement.GetProperty("paper").GetString());
            Assert.Contains("--family weak-guide", manifest.RootElement.GetProperty("description").GetString());
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "weights", "tiny-weak.training.json")));
            Assert.Equal(["alpha", "beta"], record.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(0.5, record.RootElement.GetProperty("maskShare").GetDouble());
            Assert.Equal(2 + 3, record.RootElement.GetProperty("maskedSamples").GetArrayLength()); // half of 3 → 2, half of 6 → 3

            // Only the segmentation network is saved: no head tensors, and it loads and predicts as a plain guide.
            var weights = Path.Combine(outDir, "weights", "tiny-weak.safetensors");
            var saved = SafeTensors.Read(weights).Tensors;
            using (var plain = new ClickNetwork(Tiny)) Assert.Equal(plain.state_dict().Keys.Order(), saved.Keys.Order());
            Assert.Equal([1L, 16, 1, 1], saved["classifier.weight"].shape); // the segmentation network's 1×1 output, not the class head
            var image = DiskImage(48, 16);
            var mask = new GuideFamily().Create(ModelParameters.Empty, [weights]).Segment(image, [], new ModelSessionState(), default).Mask;
            Assert.Equal((48, 48), (mask.Width, mask.Height));

            var (listCode, list, listErr) = await EngineCli.RunAsync("models", "list", "--json", "--models", outDir);
            Assert.True(listCode == 0, listErr);
            using var models = JsonDocument.Parse(list);
            var weak = Assert.Single(models.RootElement.GetProperty("models").EnumerateArray(), m => m.GetProperty("id").GetString() == "tiny-weak");
            Assert.Equal("ready", weak.GetProperty("status").GetString());
            Assert.Equal("guide", weak.GetProperty("role").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task The_shipped_weak_guide_is_ready_and_its_manifest_without_weights_is_unavailable()
    {
        var manifest = File.ReadAllText(Path.Combine(RepoPaths.Root, "plugin-manifests", "guide-weak-hist.json"));
        Assert.Contains("--family weak-guide", manifest);
        var dir = Directory.CreateTempSubdirectory("segbridge-weak-missing-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "weak-missing.json"), manifest.Replace("\"id\": \"guide-weak-hist\"", "\"id\": \"weak-missing\""));
            var (code, list, err) = await EngineCli.RunAsync("models", "list", "--json", "--models", dir);
            Assert.True(code == 0, err);
            using var models = JsonDocument.Parse(list);
            var all = models.RootElement.GetProperty("models").EnumerateArray().ToList();
            Assert.Equal("ready", Assert.Single(all, m => m.GetProperty("id").GetString() == "guide-weak-hist").GetProperty("status").GetString());
            Assert.Equal("unavailable", Assert.Single(all, m => m.GetProperty("id").GetString() == "weak-missing").GetProperty("status").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--family weak-guide --data D --class-data D --mask-share 0", "--mask-share is 0; allowed range is (0, 1]")]
    [InlineData("--family weak-guide --data D --class-data D --mask-share 1.5", "--mask-share is 1.5; allowed range is (0, 1]")]
    [InlineData("--family weak-guide --data D", "--class-data is required for --family weak-guide")]
    [InlineData("--family guide --data D --class-data D", "--class-data is only for --family weak-guide")]
    [InlineData("--family guide --data D --mask-share 0.5", "--mask-share is only for --family weak-guide")]
    [InlineData("--family brs-click --data D --no-class-loss", "--no-class-loss is only for --family weak-guide")]
    [InlineData("--family weak-guide --data D --class-data D --class-weight 0", "--class-weight is 0; allowed range is (0, 10]")]
    [InlineData("--family weak-guide --data D --class-weight 0.5 --no-class-loss", "--class-weight and --no-class-loss exclude each other")]
    [InlineData("--family guide --data D --class-weight 0.5", "--class-weight is only for --family weak-guide")]
    [InlineData("--family guide", "--data is required")]
    [InlineData("--family weak-guide --no-class-loss", "--data or --class-data is required")]
    [InlineData("--family weak --data D", "--family is 'weak'; allowed: brs-click, guide, weak-guide")]
    public async Task Train_refuses_bad_weak_guide_options_naming_them(string args, string message)
    {
        var (code, _, err) = await EngineCli.RunAsync(["train", .. args.Split(' '), "--out", "/tmp/segbridge-never-written"]);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public async Task Class_data_with_names_lacking_a_prefix_is_refused_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-train-weak-bad-").FullName;
        try
        {
            var data = SyntheticFolder(dir, ["alpha_1", "noprefix"]);
            var (code, _, err) = await EngineCli.RunAsync("train", "--family", "weak-guide", "--class-data", data, "--out", Path.Combine(dir, "out"),
                "--iterations", "1", "--batch", "2", "--crop", "32", "--backbone", "none", "--width", "8", "--threads", "1");
            Assert.Equal(2, code);
            Assert.Contains("--class-data: 'noprefix' has no class prefix", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    internal static ImageRaster DiskImage(int size, int r) => new(size, size, 3, TestImages.DiskRgb(size, size, size / 2, size / 2, r));

    internal static Mask DiskMask(int size, int r)
    {
        var data = new byte[size * size];
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) data[y * size + x] = TestImages.InDisk(x, y, size / 2, size / 2, r) ? (byte)1 : (byte)0;
        return new Mask(size, size, data);
    }

    /// <summary>A folder of 48×48 disk images (radius varying per name) with images/NAME.png and masks/NAME.png (0/255).</summary>
    private static string SyntheticFolder(string dir, string[] names)
    {
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        Directory.CreateDirectory(Path.Combine(dir, "masks"));
        for (int i = 0; i < names.Length; i++)
        {
            int r = 10 + 2 * i;
            File.WriteAllBytes(Path.Combine(dir, "images", names[i] + ".png"), MaskPng.EncodeRgb(DiskImage(48, r)));
            File.WriteAllBytes(Path.Combine(dir, "masks", names[i] + ".png"), SegBridge.Tests.Imaging.TestImages.RawPng(48, 48, 8, 0, DiskMask(48, r).Data.Select(v => (byte)(v * 255)).ToArray()));
        }
        return dir;
    }
}

/// <summary>
/// The trainer seeds libtorch's process-wide generator and draws its initial weights from it, so two runs agree only
/// if no other test class draws from it (or seeds it) meanwhile, which xUnit's running classes in parallel (as many
/// as there are cores) makes likely on a many-core machine. This class runs alone, like Mem3DQualityStageTests.
/// </summary>
[Collection(SegBridge.Tests.Models.Torch.Mem3D.TorchGlobalGenerator.Name)]
public sealed class WeakGuideSeedTests
{
    [Fact]
    public void The_trainer_is_fixed_by_its_seed_and_the_class_steps_change_the_network()
    {
        var masked = Enumerable.Range(0, 3).Select(i => new TrainingSample($"a_{i}", WeakGuideTests.DiskImage(48, 20 + i), WeakGuideTests.DiskMask(48, 20 + i))).ToList();
        var labelled = Enumerable.Range(0, 4).Select(i => new ClassSample($"c{i % 2}_{i}", WeakGuideTests.DiskImage(48, 14 + 4 * i), i % 2)).ToList();
        var options = new WeakGuideTrainingOptions { Network = WeakGuideTests.Tiny, Iterations = 2, BatchSize = 2, CropSize = 32, Seed = 5 };
        Dictionary<string, Tensor> Run(IReadOnlyList<ClassSample> l) =>
            new WeakGuideTrainer(options, CPU).Train(masked, l, 2, null, default).Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var first = Run(labelled);
        var again = Run(labelled);
        var supervisedOnly = Run([]);
        Assert.All(first, kv => Assert.True(kv.Value.equal(again[kv.Key]).all().item<bool>(), $"{kv.Key} differs between two runs with one seed"));
        Assert.Contains(first, kv => !kv.Value.equal(supervisedOnly[kv.Key]).all().item<bool>());
    }
}
