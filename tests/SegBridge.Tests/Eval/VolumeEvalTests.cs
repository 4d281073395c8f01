using System.Text.Json;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using Xunit.Abstractions;

namespace SegBridge.Tests.Eval;

/// <summary>`segbridge eval --mode volume` on case folders the test writes itself (synthetic spheres), with the shipped mem3d-brats weights.</summary>
public sealed class VolumeEvalTests(ITestOutputHelper output)
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => EngineCli.RunAsync([.. args, "--log-file", EngineCli.TestLog]);

    [SkippableFact]
    public async Task Volume_eval_writes_the_dice_after_every_round_for_each_slice_choice()
    {
        Skip.If(!File.Exists(Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "mem3d-brats.safetensors")), "no shipped mem3d-brats weights");
        var root = Directory.CreateTempSubdirectory("segbridge-volume-eval").FullName;
        const int w = 48, h = 44, d = 12;
        foreach (var (name, dx) in new[] { ("case_a", 0), ("case_b", 3), ("not_a_case", 0) })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            var image = SyntheticVolumes.Sphere(w, h, d, dx, 0, 0);
            NiftiWriter.Write(image, Path.Combine(dir, "Flair_test.nii.gz"));
            if (name != "not_a_case") NiftiWriter.WriteMask(Path.Combine(dir, "OTMultiClass.nii.gz"), image, SyntheticVolumes.SphereMask(w, h, d, -1, dx));
        }
        var outDir = Path.Combine(root, "out");
        var (code, _, err) = await Run("eval", "--mode", "volume", "--dataset", root, "--image-pattern", "Flair*", "--label-pattern", "OTMultiClass*",
            "--model", "mem3d-brats", "--rounds", "3", "--slice-choice", "quality,oracle,random", "--out", outDir, "--threads", "1");
        output.WriteLine(err);
        Assert.True(code == 0, err);
        Assert.Contains("skipped not_a_case", err);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var mean = results.RootElement.GetProperty("meanDicePerRound");
        foreach (var choice in new[] { "quality", "oracle", "random" })
        {
            var dice = mean.GetProperty(choice).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(3, dice.Length);
            Assert.All(dice, v => Assert.InRange(v, 0, 1));
        }
        var runs = results.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(6, runs.Count); // 2 cases × 3 choices
        foreach (var run in runs)
        {
            var slices = run.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("slice").GetInt32()).ToList();
            Assert.Equal(slices.Count, slices.Distinct().Count()); // a slice is never chosen twice
            Assert.InRange(slices[0], 5, 6); // round 1: the slice with the largest object area (the sphere's middle)
        }
        Assert.Contains("| quality |", File.ReadAllText(Path.Combine(outDir, "table.md")));

        var (bad, _, badErr) = await Run("eval", "--mode", "volume", "--dataset", root, "--model", "mem3d-brats", "--slice-choice", "worst", "--out", outDir, "--threads", "1");
        Assert.Equal(2, bad);
        Assert.Contains("--slice-choice is 'worst'; allowed: quality, oracle, random", badErr);
        var (notVolume, _, nvErr) = await Run("eval", "--mode", "volume", "--dataset", root, "--model", "graph-cut", "--out", outDir, "--threads", "1");
        Assert.Equal(2, notVolume);
        Assert.Contains("does not propagate through volumes", nvErr);
        Directory.Delete(root, recursive: true);
    }
}
