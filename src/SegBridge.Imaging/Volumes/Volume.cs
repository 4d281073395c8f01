using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// A 3-D scalar volume: voxels in their stored type, the scaling that turns them into values, and the NIfTI
/// header they came with (spacing, orientation, units) so a mask written for it lands on the same grid.
/// Axial slice z is the voxel plane k = z; its raster pixel (x, y) is voxel (i = x, j = y, k = z), with no
/// reorientation — slice coordinates are voxel indices, so masks index the volume directly.
/// </summary>
public sealed class Volume
{
    private readonly Lazy<(double Low, double High)> _window;

    public NiftiHeader Header { get; }
    public int Width { get; }
    public int Height { get; }
    public int Depth { get; }
    public VoxelBuffer Voxels { get; }
    /// <summary>value = stored × Slope + Intercept (1 and 0 when the file is not scaled).</summary>
    public double Slope { get; }
    public double Intercept { get; }

    /// <summary>
    /// Builds a volume from a header and its voxels; the header is checked like a file's (dim, datatype,
    /// pixdim, scaling) and must describe exactly these voxels.
    /// </summary>
    public Volume(NiftiHeader header, VoxelBuffer voxels)
    {
        var layout = NiftiLayout.Check(header);
        if (layout.Type != voxels.Type)
            throw new ArgumentException($"header datatype {layout.Type} does not match the {voxels.Type} voxels", nameof(voxels));
        if (layout.VoxelCount != voxels.Length)
            throw new ArgumentException($"header dims {layout.Width}x{layout.Height}x{layout.Depth} need {layout.VoxelCount} voxels, got {voxels.Length}", nameof(voxels));
        Header = header; Voxels = voxels;
        (Width, Height, Depth, Slope, Intercept) = (layout.Width, layout.Height, layout.Depth, layout.Slope, layout.Intercept);
        _window = new(() => VolumeWindow.Compute(this));
    }

    public NiftiDataType Type => Voxels.Type;
    public long VoxelCount => (long)Width * Height * Depth;
    public int SlicePixels => Width * Height;
    /// <summary>Voxel size along x, y, z as stored in pixdim[1..3] (absolute value; units in xyzt_units, usually mm).</summary>
    public (double X, double Y, double Z) Spacing => (Math.Abs(Header.PixDim[1]), Math.Abs(Header.PixDim[2]), Math.Abs(Header.PixDim[3]));
    /// <summary>Voxel → world (the sform, else the qform, else the spacing), 4×4 row-major, as nibabel's <c>img.affine</c>.</summary>
    public double[,] Affine => NiftiAffine.Of(Header);

    /// <summary>The scaled value of voxel (x, y, z).</summary>
    public double this[int x, int y, int z] => Voxels[((long)z * Height + y) * Width + x] * Slope + Intercept;

    /// <summary>The display window used for 8-bit slices (see <see cref="VolumeWindow"/>); computed once.</summary>
    public (double Low, double High) DisplayWindow => _window.Value;

    /// <summary>Axial slice z as scaled values, row-major (y * Width + x).</summary>
    public float[] SliceAsFloat(int z)
    {
        CheckSlice(z);
        var values = new float[SlicePixels];
        Voxels.CopyTo(z * SlicePixels, values);
        if (Slope != 1 || Intercept != 0)
            for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] * Slope + Intercept);
        return values;
    }

    /// <summary>
    /// Axial slice z as an 8-bit grey raster through the volume's <see cref="DisplayWindow"/>: the same
    /// window for every slice, so a tissue has the same grey on every slice a model sees.
    /// </summary>
    public ImageRaster SliceAsRaster(int z)
    {
        var values = SliceAsFloat(z);
        var (low, high) = DisplayWindow;
        var pixels = new byte[values.Length];
        double scale = high > low ? 255.0 / (high - low) : 0;
        for (int i = 0; i < values.Length; i++)
        {
            double v = (values[i] - low) * scale;
            pixels[i] = double.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
        return new ImageRaster(Width, Height, 1, pixels);
    }

    public void CheckSlice(int z)
    {
        if (z < 0 || z >= Depth) throw new ArgumentOutOfRangeException(nameof(z), $"slice {z} is outside 0..{Depth - 1}");
    }
}
