using System.Globalization;
using SegBridge.Imaging.Codecs;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// What a checked header says about the voxel data: size, type, where it starts and how to scale it.
/// <see cref="Check"/> is the one place a header is judged, so every reader and the writer agree.
/// </summary>
public sealed record NiftiLayout(int Width, int Height, int Depth, NiftiDataType Type, long DataOffset, double Slope, double Intercept)
{
    public long VoxelCount => (long)Width * Height * Depth;
    public long DataBytes => VoxelCount * NiftiDataTypes.Bytes(Type);

    /// <summary>
    /// Checks a parsed header: malformed fields throw <see cref="NiftiException"/> naming the field and its
    /// allowed range. Size limits are a separate step (<see cref="CheckLimits"/>) so a reader can first tell
    /// a truncated file (malformed) from a well-formed one that is merely too large.
    /// </summary>
    public static NiftiLayout Check(NiftiHeader h)
    {
        if (h.Magic == "ni1")
            throw new NiftiException("magic", "'ni1' is a .hdr/.img pair; only single-file NIfTI (.nii, .nii.gz) is supported — convert it, e.g. nibabel.save(nibabel.load('x.hdr'), 'x.nii.gz')", "'n+1'");
        if (h.Magic != "n+1")
            throw new NiftiException("magic", $"is '{Printable(h.Magic)}'; this is not a single-file NIfTI-1 volume", "'n+1'");

        var dim = h.Dim;
        if (dim[0] is not (3 or 4))
            throw new NiftiException("dim[0]", $"is {dim[0]} (number of dimensions)", "3, or 4 with dim[4] = 1");
        if (dim[0] == 4 && dim[4] != 1)
            throw new NiftiException("dim[4]", $"is {dim[4]}: a series of {dim[4]} volumes; only one volume is read", "1");
        for (int i = 1; i <= 3; i++)
            if (dim[i] < 1) throw new NiftiException($"dim[{i}]", $"is {dim[i]}", "1..32767");

        if (!NiftiDataTypes.IsSupported(h.DataType))
            throw new NiftiException("datatype", $"{h.DataType} ({NiftiDataTypes.Name(h.DataType)}) is not supported", NiftiDataTypes.Supported);
        var type = (NiftiDataType)h.DataType;

        for (int i = 1; i <= 3; i++)
            if (!float.IsFinite(h.PixDim[i])) throw new NiftiException($"pixdim[{i}]", $"is {h.PixDim[i]} (voxel spacing)", "a finite number");

        // 0 in a single file means "right after the header" (nibabel and niftilib read it so; real BraTS files have it).
        float off = h.VoxOffset == 0 ? NiftiHeader.MinVoxOffset : h.VoxOffset;
        if (!float.IsFinite(off) || off != MathF.Floor(off) || off < NiftiHeader.MinVoxOffset || off > int.MaxValue)
            throw new NiftiException("vox_offset", $"is {h.VoxOffset.ToString(CultureInfo.InvariantCulture)}", $"0, or a whole number of bytes from {NiftiHeader.MinVoxOffset} to {int.MaxValue}");

        // A slope of 0 or NaN means "not scaled" (standard §scl_slope); the intercept is then ignored too.
        double slope = h.SclSlope, inter = h.SclInter;
        if (float.IsInfinity(h.SclSlope)) throw new NiftiException("scl_slope", $"is {h.SclSlope}", "a finite number (0 or NaN: no scaling)");
        if (slope == 0 || double.IsNaN(slope)) (slope, inter) = (1, 0);
        else if (float.IsInfinity(h.SclInter)) throw new NiftiException("scl_inter", $"is {h.SclInter}", "a finite number");
        else if (double.IsNaN(inter)) inter = 0;

        // Three int16 sizes cannot overflow a long (nor an int per slice: 32767² < 2³¹).
        return new NiftiLayout(dim[1], dim[2], dim[3], type, (long)off, slope, inter);
    }

    /// <summary>Whether the volume fits the engine's limits (and a .NET array); call before allocating voxels.</summary>
    public bool WithinLimits(long maxVoxels, long maxSlicePixels)
        => (long)Width * Height <= maxSlicePixels && VoxelCount <= Math.Min(maxVoxels, Array.MaxLength);

    /// <summary>The error for a volume over the limits: names the slice or the voxel limit, whichever it broke.</summary>
    public ImageTooLargeException TooLarge(long maxVoxels, long maxSlicePixels)
    {
        if ((long)Width * Height > maxSlicePixels) return new ImageTooLargeException(Width, Height, maxSlicePixels);
        long limit = Math.Min(maxVoxels, Array.MaxLength);
        return new ImageTooLargeException(Width, Height, limit,
            $"volume is {Width}x{Height}x{Depth} = {VoxelCount} voxels; the limit is {limit} voxels (set with --max-voxels)");
    }

    private static string Printable(string s) => new([.. s.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
