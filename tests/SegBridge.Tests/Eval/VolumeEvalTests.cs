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
            "--model", "mem3d-brats", "--rounds", "3", "--slice-choice", "quality,expected-errors,oracle,random", "--out", outDir, "--threads", "1");
        output.WriteLine(err);
        Assert.True(code == 0, err);
        Assert.Contains("skipped not_a_case", err);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var mean = results.RootElement.GetProperty("meanDicePerRound");
        foreach (var choice in new[] { "quality", "expected-errors", "oracle", "random" })
        {
            var dice = mean.GetProperty(choice).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(3, dice.Length);
            Assert.All(dice, v => Assert.InRange(v, 0, 1));
        }
        var runs = results.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(8, runs.Count); // 2 cases × 4 choices
        foreach (var run in runs)
        {
            var slices = run.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("slice").GetInt32()).ToList();
            Assert.Equal(slices.Count, slices.Distinct().Count()); // a slice is never chosen twice
            Assert.InRange(slices[0], 5, 6); // round 1: the slice with the largest object area (the sphere's middle)
        }
        var table = File.ReadAllText(Path.Combine(outDir, "table.md"));
        Assert.Contains("| quality |", table);
        Assert.Contains("| expected-errors |", table);
        Assert.Contains("f_QA's score against the true IoU", table);

        var (bad, _, badErr) = await Run("eval", "--mode", "volume", "--dataset", root, "--model", "mem3d-brats", "--slice-choice", "worst", "--out", outDir, "--threads", "1");
        Assert.Equal(2, bad);
        Assert.Contains("--slice-choice is 'worst'; allowed: quality, expected-errors, oracle, random", badErr);
        var (notVolume, _, nvErr) = await Run("eval", "--mode", "volume", "--dataset", root, "--model", "graph-cut", "--out", outDir, "--threads", "1");
        Assert.Equal(2, notVolume);
        Assert.Contains("does not propagate through volumes", nvErr);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void Quality_agreement_is_pearson_r_and_mean_error_over_non_empty_non_interactive_slices()
    {
        byte[] S(params byte[] v) => v;
        var truth = new[] { S(1, 1, 0, 0), S(1, 1, 1, 1), S(1, 1, 0, 0), S(0, 0, 0, 0), S(1, 0, 0, 0) };
        var predicted = new[] { S(1, 1, 0, 0), S(1, 1, 0, 0), S(1, 0, 0, 0), S(0, 0, 0, 0), S(1, 1, 1, 1) };
        // IoU on slices 1, 2, 4 (0 is interactive, 3 is empty): 0.5, 0.5, 0.25.
        var quality = new[] { 1f, 0.6f, 0.6f, 0.1f, 0.2f };
        var (r, error) = SegBridge.Eval.Volumes.VolumeMetrics.QualityAgreement(predicted, truth, quality, [0]);
        Assert.Equal(1.0, r!.Value, 6);
        Assert.Equal((0.1 + 0.1 + 0.05) / 3, error!.Value, 6);
        var (none, noError) = SegBridge.Eval.Volumes.VolumeMetrics.QualityAgreement(predicted, truth, quality, [0, 1, 2, 4]);
        Assert.Null(none);
        Assert.Null(noError);
    }
}
