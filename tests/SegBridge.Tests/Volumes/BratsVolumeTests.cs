using System.Diagnostics;
using SegBridge.Imaging.Volumes;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Volumes;

/// <summary>A real BraTS case from $SEGBRIDGE_DATA/brats: dims, spacing, affine and voxel statistics as nibabel sees them.</summary>
public sealed class BratsVolumeTests(ITestOutputHelper output)
{
    public static string? CaseFolder => RepoPaths.Data is { } data && Directory.Exists(Path.Combine(data, "brats"))
        ? Directory.GetDirectories(Path.Combine(data, "brats")).Order(StringComparer.Ordinal).FirstOrDefault() : null;

    [SkippableTheory]
    [InlineData("Flair_subtrMeanDivStd.nii.gz")]
    [InlineData("brainmask.nii.gz")]
    [InlineData("OTMultiClass.nii.gz")]
    public void Brats_volume_matches_nibabel(string file)
    {
        Skip.If(CaseFolder is null, RepoPaths.NoDataMessage);
        Skip.If(Nibabel.SkipReason is not null, Nibabel.SkipReason);
        var path = Path.Combine(CaseFolder!, file);
        var watch = Stopwatch.StartNew();
        var volume = NiftiReader.ReadFile(path, 256_000_000, 64_000_000);
        var readMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal((240, 240, 155), (volume.Width, volume.Height, volume.Depth));
        Assert.Equal((1.0, 1.0, 1.0), volume.Spacing);

        double min = double.MaxValue, max = double.MinValue, sum = 0, sumSq = 0;
        long nonzero = 0;
        for (long i = 0; i < volume.VoxelCount; i++)
        {
            double v = volume.Voxels[i] * volume.Slope + volume.Intercept;
            min = Math.Min(min, v); max = Math.Max(max, v); sum += v; sumSq += v * v;
            if (v != 0) nonzero++;
        }
        double mean = sum / volume.VoxelCount, std = Math.Sqrt(sumSq / volume.VoxelCount - mean * mean);
        var nib = Nibabel.Stats(path);
        Assert.Equal(nib.GetProperty("min").GetDouble(), min);
        Assert.Equal(nib.GetProperty("max").GetDouble(), max);
        Assert.Equal(nib.GetProperty("nonzero").GetInt64(), nonzero);
        Assert.Equal(nib.GetProperty("mean").GetDouble(), mean, 9);
        Assert.Equal(nib.GetProperty("std").GetDouble(), std, 6);
        Nibabel.AssertMatrixEqual(Nibabel.Matrix(nib.GetProperty("affine")), volume.Affine, 1e-6, "affine");

        var (low, high) = volume.DisplayWindow;
        var middle = volume.SliceAsRaster(volume.Depth / 2);
        int distinct = middle.Pixels.Distinct().Count();
        Assert.True(distinct > (volume.Type == NiftiDataType.Float32 && file.StartsWith("Flair") ? 100 : 1), $"middle slice has only {distinct} grey levels");
        output.WriteLine($"{Path.GetFileName(CaseFolder)}/{file}: {NiftiDataTypes.Name(volume.Type)} {volume.Width}x{volume.Height}x{volume.Depth}, read in {readMs:0} ms; " +
                         $"min {min:0.####} max {max:0.####} mean {mean:0.######} std {std:0.####} nonzero {nonzero} (= nibabel); window {low:0.###}..{high:0.###}, middle slice {distinct} grey levels");
    }
}
