using System.Security.Cryptography;
using System.Text.Json;
using SegBridge.Models.Torch.Mem3D;
using SegBridge.Models.Torch.Networks;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>
/// `segbridge train --family mem3d` end to end on one BraTS case with a tiny network, in both layouts (the default
/// ImageNet backbone and --backbone none): record (with the backbone and its file's sha256), 3-D manifest, ready in
/// the registry.
/// </summary>
public sealed class Mem3DTrainCommandTests
{
    [SkippableTheory]
    [InlineData(null)]
    [InlineData("none")]
    public async Task Train_mem3d_writes_a_volume_manifest_and_record_that_the_engine_loads(string? backbone)
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-mem3d-").FullName;
        try
        {
            string[] args = ["train", "--family", "mem3d", "--data", Path.Combine(RepoPaths.Data!, "brats"), "--cases", "1",
                "--out", dir, "--name", "tiny-m3d", "--iterations", "2", "--memory-iterations", "2", "--quality-propagations", "1", "--quality-iterations", "2", "--batch", "2",
                "--channels", "16", "--slice-size", "64", "--roi-size", "32", "--threads", "1"];
            var (code, _, err) = await EngineCli.RunAsync(backbone is null ? args : [.. args, "--backbone", backbone]);
            Assert.True(code == 0, err);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tiny-m3d.json")));
            Assert.Equal("torch/mem3d", manifest.RootElement.GetProperty("family").GetString());
            Assert.Equal("3d", manifest.RootElement.GetProperty("dimensions").GetString());
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-m3d.training.json")));
            Assert.Contains("--family mem3d", record.RootElement.GetProperty("command").GetString());
            Assert.Equal(1, record.RootElement.GetProperty("trainingCases").GetArrayLength());
            Assert.Contains(record.RootElement.GetProperty("sha256").GetString()!, manifest.RootElement.GetProperty("weights").GetRawText());
            var (trained, _) = Mem3DWeights.Load(Path.Combine(dir, "weights", "tiny-m3d.safetensors"));
            if (backbone is null)
            {
                // The default: f_Mem's encoders started from the ImageNet ResNet-18, named with its file's sha256.
                Assert.Equal(ImageNetResNet18.Id, record.RootElement.GetProperty("backbone").GetString());
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ImageNetResNet18.DefaultPath))), record.RootElement.GetProperty("backboneSha256").GetString());
                Assert.Equal(ImageNetResNet18.Id, trained.Config.Backbone);
                Assert.IsType<ImageNetSliceEncoder>(trained.memory_encoder);
            }
            else
            {
                Assert.Equal("none (trained from scratch)", record.RootElement.GetProperty("backbone").GetString());
                Assert.False(record.RootElement.TryGetProperty("backboneSha256", out _));
                Assert.Null(trained.Config.Backbone);
                Assert.IsType<SliceEncoder>(trained.memory_encoder);
            }
            trained.Dispose();

            var (listCode, list, listErr) = await EngineCli.RunAsync("models", "list", "--json", "--models", dir);
            Assert.True(listCode == 0, listErr);
            using var models = JsonDocument.Parse(list);
            var tiny = Assert.Single(models.RootElement.GetProperty("models").EnumerateArray(), m => m.GetProperty("id").GetString() == "tiny-m3d");
            Assert.True(tiny.GetProperty("status").GetString() == "ready", tiny.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Train_mem3d_refuses_bad_options_naming_them()
    {
        var (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", "/nonexistent", "--out", "/tmp/x", "--memory-iterations", "0");
        Assert.Equal(2, code);
        Assert.Contains("--memory-iterations is 0", err);
        (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", "/nonexistent", "--out", "/tmp/x", "--batch", "1");
        Assert.Equal(2, code);
        Assert.Contains("--batch is 1", err);
        (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", "/nonexistent", "--out", "/tmp/x", "--quality-iterations", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--quality-iterations is -1", err);
        (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", "/nonexistent", "--out", "/tmp/x", "--backbone", "resnet50");
        Assert.Equal(2, code);
        Assert.Contains("--backbone is 'resnet50'; allowed: imagenet-resnet18, none", err);
        (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", "/nonexistent", "--out", "/tmp/x", "--channels", "256");
        Assert.Equal(2, code);
        Assert.Contains("--channels is 256; with the imagenet-resnet18 backbone at most 128", err);
    }
}
