using SegBridge.Imaging.Volumes;

namespace SegBridge.Tests.Volumes;

public sealed class VolumeSliceTests
{
    private static Volume Ramp(int w, int h, int d, float slope = 1, float inter = 0)
    {
        var values = new short[w * h * d];
        for (int i = 0; i < values.Length; i++) values[i] = (short)i;
        var header = new NiftiHeader { Dim = [3, (short)w, (short)h, (short)d, 1, 1, 1, 1], DataType = (short)NiftiDataType.Int16, BitPix = 16, SclSlope = slope, SclInter = inter };
        return new Volume(header, VoxelBuffer.Of(values));
    }

    [Fact]
    public void Int16_voxels_stay_int16()
    {
        var v = Ramp(10, 10, 10);
        Assert.IsType<VoxelBuffer<short>>(v.Voxels);
        Assert.Equal(NiftiDataType.Int16, v.Type);
    }

    [Fact]
    public void Float_slice_is_scaled_and_row_major()
    {
        var v = Ramp(5, 4, 3, slope: 0.5f, inter: 100);
        var s = v.SliceAsFloat(2);
        Assert.Equal(20, s.Length);
        Assert.Equal((40 + 3 * 5 + 2) * 0.5 + 100, s[3 * 5 + 2]);
        Assert.Equal(v[2, 3, 2], s[3 * 5 + 2]);
    }

    [Fact]
    public void Window_is_the_0_5_and_99_5_percentiles_and_clips_outside()
    {
        var v = Ramp(10, 10, 10); // values 0..999
        var (low, high) = v.DisplayWindow;
        Assert.Equal(4.995, low, 6);  // numpy.percentile(range(1000), 0.5)
        Assert.Equal(994.005, high, 6);
        var first = v.SliceAsRaster(0).Pixels;
        Assert.Equal(0, first[0]);   // below the window
        Assert.Equal(255, v.SliceAsRaster(9).Pixels[^1]); // above it
        Assert.Equal((byte)Math.Round((50 - low) * 255 / (high - low)), first[50]);
    }

    [Fact]
    public void Constant_volume_is_black()
    {
        var header = new NiftiHeader { Dim = [3, 3, 3, 3, 1, 1, 1, 1], DataType = (short)NiftiDataType.Float32, BitPix = 32 };
        var v = new Volume(header, VoxelBuffer.Of(Enumerable.Repeat(7f, 27).ToArray()));
        Assert.All(v.SliceAsRaster(1).Pixels, p => Assert.Equal(0, p));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Slice_outside_the_volume_names_the_range(int z)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ramp(4, 4, 3).SliceAsRaster(z));
        Assert.Contains($"slice {z} is outside 0..2", e.Message);
    }
}
