using System.Text.Json;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Volumes;

/// <summary>`segbridge train --family mem3d` end to end on one BraTS case with a tiny network: record, 3-D manifest, ready in the registry.</summary>
public sealed class Mem3DTrainCommandTests
{
    [SkippableFact]
    public async Task Train_mem3d_writes_a_volume_manifest_and_record_that_the_engine_loads()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-mem3d-").FullName;
        try
        {
            var (code, _, err) = await EngineCli.RunAsync("train", "--family", "mem3d", "--data", Path.Combine(RepoPaths.Data!, "brats"), "--cases", "1",
                "--out", dir, "--name", "tiny-m3d", "--iterations", "2", "--memory-iterations", "2", "--quality-propagations", "1", "--quality-iterations", "2", "--batch", "2",
                "--channels", "16", "--slice-size", "64", "--roi-size", "32", "--threads", "1");
            Assert.True(code == 0, err);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tiny-m3d.json")));
            Assert.Equal("torch/mem3d", manifest.RootElement.GetProperty("family").GetString());
            Assert.Equal("3d", manifest.RootElement.GetProperty("dimensions").GetString());
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-m3d.training.json")));
            Assert.Contains("--family mem3d", record.RootElement.GetProperty("command").GetString());
            Assert.Equal(1, record.RootElement.GetProperty("trainingCases").GetArrayLength());
            Assert.Contains(record.RootElement.GetProperty("sha256").GetString()!, manifest.RootElement.GetProperty("weights").GetRawText());

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
    }
}
