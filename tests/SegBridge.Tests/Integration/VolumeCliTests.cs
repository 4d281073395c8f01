using System.Text.Json;
using SegBridge.Imaging.Volumes;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>`segbridge propagate` and `segbridge suggest`, run as a user would, with the shipped mem3d-brats weights.</summary>
public sealed class VolumeCliTests(ITestOutputHelper output)
{
    /// <summary>Without the shipped weights the model is unavailable and every verb here refuses to run.</summary>
    private static readonly string Weights = Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "mem3d-brats.safetensors");

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => EngineCli.RunAsync([.. args, "--threads", "1", "--log-file", EngineCli.TestLog]);

    [SkippableFact]
    public async Task A_box_on_a_brats_slice_is_propagated_into_a_nifti_mask_and_the_next_round_continues_from_the_state_folder()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        Skip.If(BratsVolumeTests.CaseFolder is null, RepoPaths.NoDataMessage);
        var folder = BratsVolumeTests.CaseFolder!;
        var flair = Path.Combine(folder, "Flair_subtrMeanDivStd.nii.gz");
        var labels = NiftiReader.ReadFile(Path.Combine(folder, "OTMultiClass.nii.gz"), long.MaxValue, long.MaxValue);
        var truth = Enumerable.Range(0, labels.Depth).Select(z => labels.SliceAsFloat(z).Select(v => v > 0 ? (byte)1 : (byte)0).ToArray()).ToArray();
        int z0 = Enumerable.Range(0, labels.Depth).MaxBy(z => truth[z].Count(v => v != 0));
        var dir = Directory.CreateTempSubdirectory("segbridge-propagate").FullName;
        var state = Path.Combine(dir, "state");
        var niftiPath = Path.Combine(dir, "mask.nii.gz");

        var (code, _, err) = await Run("propagate", flair, "--model", "mem3d-brats", "--slice", $"{z0}", "--box", Box(truth[z0], labels.Width),
            "--out", niftiPath, "--state-dir", state);
        output.WriteLine(err);
        Assert.True(code == 0, err);
        Assert.Contains($"[1/1] box on slice {z0}:", err);
        Assert.Contains($"propagated from slice {z0} through {labels.Depth} slices (interactive: {z0})", err);
        Assert.Contains("next slice to segment:", err);
        var mask = NiftiReader.ReadFile(niftiPath, long.MaxValue, long.MaxValue);
        Assert.Equal((labels.Width, labels.Height, labels.Depth), (mask.Width, mask.Height, mask.Depth));
        foreach (var z in new[] { z0 - 1, z0, z0 + 1 })
            Assert.True(mask.SliceAsFloat(z).Count(v => v > 0) > 0, $"slice {z} of the written mask is empty");

        var (suggestCode, suggested, suggestErr) = await Run("suggest", flair, "--model", "mem3d-brats", "--state-dir", state, "--rank", "mostExpectedErrors");
        Assert.True(suggestCode == 0, suggestErr);
        int next = int.Parse(suggested.Trim());
        Assert.InRange(next, 0, labels.Depth - 1);
        Assert.NotEqual(z0, next);
        Assert.Contains($"rank mostExpectedErrors; interactive slices {z0})", suggestErr);

        // A second round two slices away, as per-slice RLE: the state folder kept the first.
        int z1 = z0 + 2;
        var rlePath = Path.Combine(dir, "mask.json");
        (code, _, err) = await Run("propagate", flair, "--model", "mem3d-brats", "--slice", $"{z1}", "--box", Box(truth[z1], labels.Width),
            "--out", rlePath, "--format", "rle", "--state-dir", state);
        output.WriteLine(err);
        Assert.True(code == 0, err);
        Assert.Contains($"slice {z1} starts from its propagated mask", err);
        var second = JsonSerializer.Deserialize<PropagateVolumeResult>(File.ReadAllBytes(rlePath), ProtocolJson.Options)!;
        Assert.Equal([z0, z1], second.InteractiveSlices);
        Assert.Equal(labels.Depth, second.Slices!.Length);
        Assert.True(second.Slices[z1].ForegroundPixels > 0);
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task Bad_arguments_exit_2_naming_the_option_and_what_it_allows()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-propagate-bad").FullName;
        var path = SyntheticVolumes.SphereFile(dir, 32, 30, 8);
        string[] common = [path, "--model", "mem3d-brats"];

        var cases = new (string[] Args, string Message)[]
        {
            ([.. common, "--slice", "8", "--box", "8,8,24,22"], "--slice is 8; allowed range is [0, 7]"),
            ([.. common, "--slice", "4", "--box", "8,8"], "--box '8,8' must be X0,Y0,X1,Y1"),
            ([.. common, "--slice", "4", "--extreme", "1,2,3"], "--extreme '1,2,3' must be X1,Y1,X2,Y2,X3,Y3,X4,Y4"),
            ([.. common, "--slice", "4", "--box", "8,8,24,22", "--format", "png"], "--format is 'png'; allowed: nifti, rle"),
            ([.. common, "--slice", "4", "--box", "8,8,24,22", "--rank", "worst"], "--rank is 'worst'; allowed: lowestQuality, mostExpectedErrors"),
            ([.. common, "--slice", "4"], "give at least one --box, --extreme or --click"),
            ([path, "--model", "graph-cut", "--slice", "4", "--box", "8,8,24,22"], "--model 'graph-cut' segments 2D images and cannot propagate through a volume; volumetric models: mem3d-brats"),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, err) = await Run(["propagate", .. args]);
            Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {err}");
            Assert.Contains(message, err);
        }
        var (noState, _, noStateErr) = await Run("suggest", path, "--model", "mem3d-brats");
        Assert.Equal(2, noState);
        Assert.Contains("give --state-dir", noStateErr);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>The box around a slice's object, as --box takes it (x1, y1 exclusive).</summary>
    private static string Box(byte[] slice, int width)
    {
        var pixels = Enumerable.Range(0, slice.Length).Where(i => slice[i] != 0).ToList();
        return $"{pixels.Min(i => i % width)},{pixels.Min(i => i / width)},{pixels.Max(i => i % width) + 1},{pixels.Max(i => i / width) + 1}";
    }
}
