using System.Text.Json;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using Xunit.Abstractions;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Mem3D;
using SegBridge.Tests.Models.Torch.Shared;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>
/// Mem3D's propagation against tests/torch/mem3d_reference.py in Debian's PyTorch 1.13, in both layouts: the shipped
/// weights (small encoders) and a network of the ImageNet layout (f_Mem's encoders started from the ImageNet
/// ResNet-18, the rest randomly initialised with a fixed seed, saved to a temporary file); the held-out BraTS case
/// with its true mask on the largest tumour slice (a synthetic sphere volume when the data is absent) and the same
/// interactive mask; the window, every network, the memory schedule and the thresholding must agree (quality
/// scores within 1e-3, each slice's foreground within 0.5 % of the slice).
/// </summary>
public sealed class Mem3DParityTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("shipped")]
    [InlineData("imagenet")]
    public void Propagation_matches_the_pytorch_reference(string layout)
    {
        var shipped = Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "mem3d-brats.safetensors");
        Skip.If(layout == "shipped" && !File.Exists(shipped), "no shipped mem3d-brats weights");
        var missing = TorchTestSupport.PyTorchMissing() ?? Nibabel.SkipReason;
        Skip.If(missing is not null, missing);
        var dir = Directory.CreateTempSubdirectory("segbridge-mem3d-parity").FullName;
        var weights = shipped;
        if (layout == "imagenet")
        {
            manual_seed(21);
            using var started = new Mem3DNetwork(new Mem3DConfig { Backbone = SegBridge.Models.Torch.Networks.ImageNetResNet18.Id });
            started.StartFromImageNet(SegBridge.Models.Torch.Networks.ImageNetResNet18.DefaultPath);
            weights = Path.Combine(dir, "mem3d-imagenet.safetensors");
            Mem3DWeights.Save(weights, started, new Dictionary<string, string>(), halfPrecision: true);
        }
        var brats = RepoPaths.Data is { } data && Directory.Exists(Path.Combine(data, "brats"))
            ? Directory.GetDirectories(Path.Combine(data, "brats")).Order(StringComparer.Ordinal).Last() : null;
        string path;
        byte[] mask;
        int w, h, d, z;
        if (brats is not null)
        {
            // 31 slices around the largest tumour slice, written as float32 (a whole case takes minutes in both on a busy CPU).
            var flair = NiftiReader.ReadFile(Path.Combine(brats, "Flair_subtrMeanDivStd.nii.gz"), long.MaxValue, long.MaxValue);
            var labels = NiftiReader.ReadFile(Path.Combine(brats, "OTMultiClass.nii.gz"), long.MaxValue, long.MaxValue);
            int middle = Enumerable.Range(0, labels.Depth).MaxBy(k => labels.SliceAsFloat(k).Count(v => v > 0));
            (w, h, d, z) = (labels.Width, labels.Height, 31, 15);
            var values = Enumerable.Range(middle - z, d).SelectMany(flair.SliceAsFloat).ToArray();
            var header = flair.Header with
            {
                Dim = [3, (short)w, (short)h, (short)d, 1, 1, 1, 1], DataType = (short)NiftiDataType.Float32, BitPix = 32, SclSlope = 1, SclInter = 0,
            };
            path = Path.Combine(dir, "brats-part.nii.gz");
            NiftiWriter.Write(new Volume(header, VoxelBuffer.Of(values)), path);
            mask = labels.SliceAsFloat(middle).Select(v => v > 0 ? (byte)1 : (byte)0).ToArray();
        }
        else
        {
            (w, h, d, z) = (64, 60, 16, 8);
            path = Path.Combine(dir, "sphere.nii.gz");
            NiftiWriter.Write(SyntheticVolumes.Sphere(w, h, d, 2, -1, 0), path);
            mask = SyntheticVolumes.SphereMask(w, h, d, z, 2, -1);
        }
        File.WriteAllBytes(Path.Combine(dir, "mask.raw"), mask);

        var (network, _) = Mem3DWeights.Load(weights);
        network.eval();
        var mine = new Mem3DPropagator(network, CPU).Propagate(NiftiReader.ReadFile(path, long.MaxValue, long.MaxValue), [new InteractiveSlice(z, new Mask(w, h, mask))], z, null, null, CancellationToken.None);

        var (code, stdout, stderr) = SlideTools.Run(SlideTools.Python, [Path.Combine(RepoPaths.Root, "tests", "torch", "mem3d_reference.py"),
            "--weights", weights, "--volume", path, "--interactive", Path.Combine(dir, "mask.raw"), "--slice", z.ToString(), "--threads", "1"], 300_000);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var quality = json.RootElement.GetProperty("quality").EnumerateArray().Select(q => q.GetDouble()).ToArray();
        var foreground = json.RootElement.GetProperty("foreground").EnumerateArray().Select(f => f.GetInt64()).ToArray();
        double qGap = Enumerable.Range(0, d).Max(i => Math.Abs(quality[i] - mine.Quality[i]));
        long fGap = Enumerable.Range(0, d).Max(i => Math.Abs(foreground[i] - mine.ForegroundPerSlice[i]));
        output.WriteLine($"{layout}, {(brats is null ? "synthetic sphere" : Path.GetFileName(brats))}: largest quality gap {qGap:E2}, largest foreground gap {fGap} px of {w * h}; engine foreground {string.Join(" ", mine.ForegroundPerSlice)}");
        Assert.True(qGap < 1e-3, $"quality scores differ by {qGap}");
        Assert.True(fGap <= w * h / 200, $"a slice's foreground differs by {fGap} px");
        if (brats is not null && layout == "shipped") Assert.True(mine.ForegroundPerSlice.Where((_, k) => k != z).Sum() > 0, "nothing was propagated beyond the interactive slice");
        Directory.Delete(dir, recursive: true);
    }
}
