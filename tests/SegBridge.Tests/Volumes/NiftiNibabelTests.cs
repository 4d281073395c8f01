using System.Text.Json;
using SegBridge.Imaging.Volumes;
using Xunit.Abstractions;

namespace SegBridge.Tests.Volumes;

/// <summary>
/// Round trips against Debian's nibabel: it writes every supported dtype (with scl_slope/scl_inter, a rotated
/// anisotropic affine in qform and sform, .nii and .nii.gz, both byte orders) and we read the same voxels and
/// affine; we write them back (and a mask on the same grid) and nibabel reads the same voxels and affine.
/// </summary>
public sealed class NiftiNibabelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segbridge-nifti").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public void Reads_what_nibabel_writes()
    {
        Skip.If(Nibabel.SkipReason is not null, Nibabel.SkipReason);
        foreach (var entry in Nibabel.WriteFixtures(_dir))
        {
            var name = entry.GetProperty("name").GetString()!;
            var volume = NiftiReader.ReadFile(entry.GetProperty("file").GetString()!, long.MaxValue, long.MaxValue);
            var shape = entry.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()).ToArray();
            Assert.Equal((shape[0], shape[1], shape[2]), (volume.Width, volume.Height, volume.Depth));
            Assert.Equal(entry.GetProperty("dtype").GetString(), NiftiDataTypes.Name(volume.Type)); // numpy's names are the same
            Assert.Equal(entry.GetProperty("bigEndian").GetBoolean(), volume.Header.BigEndian);
            Assert.Equal(entry.GetProperty("slope").GetDouble(), volume.Slope, 6);
            Assert.Equal(entry.GetProperty("inter").GetDouble(), volume.Intercept, 6);
            var zooms = entry.GetProperty("zooms").EnumerateArray().Select(z => z.GetDouble()).ToArray();
            Assert.Equal((zooms[0], zooms[1], zooms[2]), volume.Spacing);
            Nibabel.AssertMatrixEqual(Nibabel.Matrix(entry.GetProperty("affine")), volume.Affine, 1e-5, $"{name} affine");
            Nibabel.AssertMatrixEqual(Nibabel.Matrix(entry.GetProperty("qform")), NiftiAffine.Of(volume.Header with { SformCode = 0 }), 1e-5, $"{name} qform");

            var expected = Nibabel.ReadDoubles(Path.Combine(_dir, name + ".expected.f8"));
            AssertVoxels(expected, volume, name);
            var slice = volume.SliceAsFloat(volume.Depth - 1);
            int sliceStart = volume.SlicePixels * (volume.Depth - 1);
            for (int i = 0; i < slice.Length; i++) Assert.Equal(expected[sliceStart + i], slice[i], 4);
            output.WriteLine($"{name,-11} {NiftiDataTypes.Name(volume.Type),-8} {(volume.Header.BigEndian ? "big" : "little")}-endian slope {volume.Slope} inter {volume.Intercept}: {expected.Length} voxels and affine match nibabel");
        }
    }

    [SkippableFact]
    public void Nibabel_reads_what_we_write_and_masks_keep_the_source_grid()
    {
        Skip.If(Nibabel.SkipReason is not null, Nibabel.SkipReason);
        foreach (var entry in Nibabel.WriteFixtures(_dir))
        {
            var name = entry.GetProperty("name").GetString()!;
            var source = NiftiReader.ReadFile(entry.GetProperty("file").GetString()!, long.MaxValue, long.MaxValue);
            var expected = Nibabel.ReadDoubles(Path.Combine(_dir, name + ".expected.f8"));
            foreach (var ext in new[] { ".nii", ".nii.gz" })
            {
                var path = Path.Combine(_dir, $"ours-{name}{ext}");
                NiftiWriter.Write(source, path);
                var (info, values) = Nibabel.Read(path);
                Assert.Equal(NiftiDataTypes.Name(source.Type), info.GetProperty("dtype").GetString());
                Assert.Equal(expected, values);
                AssertSameGeometry(entry, info, name);
                Assert.Equal(entry.GetProperty("slope").GetDouble(), info.GetProperty("slope").GetDouble(), 6);
                Assert.Equal(["mm", "sec"], info.GetProperty("units").EnumerateArray().Select(u => u.GetString()));
                Assert.Equal(source.Voxels[5], NiftiReader.ReadFile(path, long.MaxValue, long.MaxValue).Voxels[5]);
            }

            var mask = new byte[source.VoxelCount];
            for (int i = 0; i < mask.Length; i++) mask[i] = expected[i] > expected.Average() ? (byte)1 : (byte)0;
            var maskPath = Path.Combine(_dir, $"mask-{name}.nii.gz");
            NiftiWriter.WriteMask(maskPath, source, mask);
            var (maskInfo, maskValues) = Nibabel.Read(maskPath);
            Assert.Equal("uint8", maskInfo.GetProperty("dtype").GetString());
            Assert.Equal(mask.Select(m => (double)m), maskValues);
            AssertSameGeometry(entry, maskInfo, $"mask of {name}");
            Assert.Equal((1.0, 0.0), (maskInfo.GetProperty("slope").GetDouble(), maskInfo.GetProperty("inter").GetDouble()));
        }
        output.WriteLine("every fixture written as .nii and .nii.gz and as a uint8 mask reads back in nibabel with the same voxels and affine");
    }

    private static void AssertSameGeometry(JsonElement entry, JsonElement info, string what)
    {
        Nibabel.AssertMatrixEqual(Nibabel.Matrix(entry.GetProperty("affine")), Nibabel.Matrix(info.GetProperty("affine")), 1e-6, $"{what} affine");
        Nibabel.AssertMatrixEqual(Nibabel.Matrix(entry.GetProperty("qform")), Nibabel.Matrix(info.GetProperty("qform")), 1e-6, $"{what} qform");
        Assert.Equal((1, 2), (info.GetProperty("qformCode").GetInt32(), info.GetProperty("sformCode").GetInt32()));
        Assert.Equal(entry.GetProperty("zooms").EnumerateArray().Select(z => z.GetDouble()), info.GetProperty("zooms").EnumerateArray().Select(z => z.GetDouble()));
    }

    private static void AssertVoxels(double[] expected, Volume volume, string name)
    {
        Assert.Equal(expected.Length, volume.VoxelCount);
        int i = 0;
        for (int z = 0; z < volume.Depth; z++)
            for (int y = 0; y < volume.Height; y++)
                for (int x = 0; x < volume.Width; x++, i++)
                    Assert.True(Math.Abs(expected[i] - volume[x, y, z]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{name} voxel ({x},{y},{z}): nibabel {expected[i]}, ours {volume[x, y, z]}");
    }
}
