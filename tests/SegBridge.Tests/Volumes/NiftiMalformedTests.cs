using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Volumes;
using static SegBridge.Tests.Volumes.NiftiFiles;

namespace SegBridge.Tests.Volumes;

/// <summary>Each malformed header field gets its own NiftiException naming the field and the allowed range.</summary>
public sealed class NiftiMalformedTests
{
    private const long NoLimit = long.MaxValue;
    private static readonly byte[] Valid = Nii();

    private static NiftiException Fails(byte[] bytes, string field, params string[] words)
    {
        var e = Assert.Throws<NiftiException>(() => NiftiReader.Read(bytes, NoLimit, NoLimit));
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"NIfTI {field}:", e.Message);
        foreach (var w in words) Assert.Contains(w, e.Message);
        return e;
    }

    [Fact]
    public void The_valid_file_reads_back() => Assert.Equal(-50 + 10 * 23, NiftiReader.Read(Valid, NoLimit, NoLimit)[3, 2, 1]);

    [Fact]
    public void Truncated_header() => Fails(Valid[..100], "sizeof_hdr", "ends after 100 bytes", "348-byte");

    [Fact]
    public void Empty_data() => Fails([], "sizeof_hdr", "ends after 0 bytes");

    [Fact]
    public void Wrong_sizeof_hdr() => Fails(With(Valid, b => Int32At(b, 0, 1234)), "sizeof_hdr", "1234", "348 in either byte order");

    [Fact]
    public void Nifti2_is_named() => Fails(With(Valid, b => Int32At(b, 0, 540)), "sizeof_hdr", "NIfTI-2");

    [Fact]
    public void Wrong_magic() => Fails(With(Valid, b => "xyz\0"u8.CopyTo(b.AsSpan(344))), "magic", "'xyz'", "'n+1'");

    [Fact]
    public void Header_image_pair_magic_says_convert() => Fails(With(Valid, b => "ni1\0"u8.CopyTo(b.AsSpan(344))), "magic", ".hdr/.img pair", "nibabel");

    [Fact]
    public void Header_image_pair_path_is_refused()
    {
        var e = Assert.Throws<NiftiException>(() => NiftiReader.ReadFile("/nonexistent/brain.hdr", NoLimit, NoLimit));
        Assert.Equal("path", e.Field);
        Assert.Contains(".hdr/.img pair", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(-3)]
    public void Dimension_count_outside_3_or_4(short n) => Fails(With(Valid, b => Dim(b, 0, n)), "dim[0]", $"is {n}", "3, or 4 with dim[4] = 1");

    [Fact]
    public void A_series_of_volumes_is_refused() => Fails(With(Valid, b => { Dim(b, 0, 4); Dim(b, 4, 7); }), "dim[4]", "is 7", "allowed: 1");

    [Fact]
    public void Four_dims_with_one_volume_is_read() => Assert.Equal(2, NiftiReader.Read(With(Valid, b => Dim(b, 0, 4)), NoLimit, NoLimit).Depth);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, -5)]
    [InlineData(3, short.MinValue)]
    public void Zero_or_negative_size(int axis, short value) => Fails(With(Valid, b => Dim(b, axis, value)), $"dim[{axis}]", $"is {value}", "1..32767");

    [Theory]
    [InlineData(32, "complex64")]
    [InlineData(128, "rgb24")]
    [InlineData(1024, "int64")]
    [InlineData(999, "unknown")]
    public void Unsupported_datatype_is_named(short code, string name)
        => Fails(With(Valid, b => Int16At(b, 70, code)), "datatype", $"{code} ({name})", "2 uint8", "768 uint32");

    [Theory]
    [InlineData(100f)]
    [InlineData(351f)]
    [InlineData(352.5f)]
    [InlineData(-352f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(1e12f)]
    public void Bad_vox_offset(float offset) => Fails(With(Valid, b => FloatAt(b, 108, offset)), "vox_offset", "whole number of bytes from 352");

    [Fact]
    public void Vox_offset_0_means_right_after_the_header() => Assert.Equal(-50, NiftiReader.Read(With(Valid, b => FloatAt(b, 108, 0)), NoLimit, NoLimit)[0, 0, 0]);

    [Fact]
    public void Vox_offset_past_the_end_is_truncation() => Fails(With(Valid, b => FloatAt(b, 108, 100_000)), "data", "truncated");

    [Fact]
    public void Infinite_scaling() => Fails(With(Valid, b => FloatAt(b, 112, float.NegativeInfinity)), "scl_slope", "finite");

    [Fact]
    public void Infinite_intercept() => Fails(With(Valid, b => { FloatAt(b, 112, 2); FloatAt(b, 116, float.PositiveInfinity); }), "scl_inter", "finite");

    [Theory]
    [InlineData(0f, 1, 0)]
    [InlineData(float.NaN, 1, 0)]
    [InlineData(2f, 2, 3)]
    public void Slope_0_or_nan_means_unscaled(float slope, double expectSlope, double expectInter)
    {
        var v = NiftiReader.Read(With(Valid, b => { FloatAt(b, 112, slope); FloatAt(b, 116, 3); }), NoLimit, NoLimit);
        Assert.Equal((expectSlope, expectInter), (v.Slope, v.Intercept));
    }

    [Fact]
    public void Non_finite_spacing() => Fails(With(Valid, b => FloatAt(b, 80, float.NaN)), "pixdim[1]", "finite");

    [Fact]
    public void Truncated_voxel_data() => Fails(Valid[..^7], "data", "truncated", "4x3x2 int16");

    [Fact]
    public void Absurd_dims_in_a_small_file_are_truncation_not_a_huge_allocation()
        => Fails(With(Valid, b => { Dim(b, 1, 32767); Dim(b, 2, 32767); Dim(b, 3, 32767); }), "data", "needs");

    [Fact]
    public void Truncated_gzip() => Assert.Contains(NiftiException(Gzip(Valid)[..^20]).Field, new[] { "data", "gzip" });

    [Fact]
    public void Gzip_cut_inside_the_header() => Fails(Gzip(Valid)[..30], "sizeof_hdr", "inside the header");

    [Fact]
    public void Corrupt_gzip_body()
    {
        var gz = Gzip(Nii(SmallVolume(40, 30, 20)));
        var e = NiftiException(With(gz, b => { for (int i = 12; i < gz.Length - 8; i += 3) b[i] ^= 0x5A; }));
        Assert.Contains(e.Field, new[] { "gzip", "data", "sizeof_hdr" });
    }

    [Fact]
    public void Absurd_dims_in_a_gzip_are_truncation_when_its_trailer_says_so()
        => Assert.Equal("data", NiftiException(Gzip(With(Valid, b => { Dim(b, 1, 1000); Dim(b, 2, 1000); Dim(b, 3, 1000); })), maxVoxels: 1_000_000).Field);

    [Fact]
    public void Too_many_voxels_is_too_large_with_the_option_named()
    {
        var e = Assert.Throws<ImageTooLargeException>(() => NiftiReader.Read(Valid, maxVoxels: 10, NoLimit));
        Assert.Contains("4x3x2 = 24 voxels; the limit is 10 voxels (set with --max-voxels)", e.Message);
    }

    [Fact]
    public void Too_large_slice_is_too_large()
    {
        var e = Assert.Throws<ImageTooLargeException>(() => NiftiReader.Read(Valid, NoLimit, maxSlicePixels: 11));
        Assert.Contains("4x3 = 12 pixels; the limit is 11 pixels", e.Message);
    }

    /// <summary>Thousands of random edits: only the documented exceptions ever escape.</summary>
    [Fact]
    public void Random_header_edits_and_cuts_never_escape_as_anything_else()
    {
        var rng = new Random(4242);
        var gz = Gzip(Valid);
        int ok = 0, refused = 0;
        for (int i = 0; i < 3000; i++)
        {
            var source = i % 3 == 0 ? gz : Valid;
            var bytes = (byte[])source.Clone();
            for (int k = rng.Next(1, 6); k > 0; k--) bytes[rng.Next(i % 3 == 0 ? bytes.Length : 352)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            try { NiftiReader.Read(bytes, 1_000_000, 1_000_000); ok++; }
            catch (ImageDecodeException) { refused++; }
        }
        Assert.Equal(3000, ok + refused);
        Assert.True(refused > 500, $"only {refused} of 3000 mutations were refused");
    }

    private static NiftiException NiftiException(byte[] bytes, long maxVoxels = NoLimit)
        => Assert.Throws<NiftiException>(() => NiftiReader.Read(bytes, maxVoxels, NoLimit));
}
