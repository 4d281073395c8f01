using System.IO.Compression;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// Writes single-file NIfTI-1, little-endian, voxels right after the header (vox_offset 352, no
/// extensions); gzip-compressed when the path ends in .gz. Geometry fields are copied from the volume's
/// header, so orientation (qform/sform), spacing, units and scaling survive a round trip.
/// </summary>
public static class NiftiWriter
{
    public static void Write(Volume volume, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            Write(volume, gz);
        }
        else Write(volume, file);
    }

    public static void Write(Volume volume, Stream stream)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NIfTI writing assumes a little-endian machine");
        var header = volume.Header with
        {
            Dim = [3, (short)volume.Width, (short)volume.Height, (short)volume.Depth, 1, 1, 1, 1],
            DataType = (short)volume.Type,
            BitPix = (short)(8 * NiftiDataTypes.Bytes(volume.Type)),
            VoxOffset = NiftiHeader.MinVoxOffset,
            Magic = "n+1",
            BigEndian = false,
        };
        var head = new byte[NiftiHeader.MinVoxOffset]; // header + a zero extension flag: no extensions follow
        header.WriteTo(head);
        stream.Write(head);
        const int chunk = 1 << 22;
        for (int start = 0; start < volume.Voxels.Length; start += chunk)
            stream.Write(volume.Voxels.Bytes(start, Math.Min(chunk, volume.Voxels.Length - start)));
    }

    /// <summary>
    /// Writes a uint8 mask (one byte per voxel, x fastest, then y, then z) on <paramref name="source"/>'s grid:
    /// same dims, pixdim, units, qform and sform, so viewers overlay it exactly; no scaling, no intent.
    /// </summary>
    public static void WriteMask(string path, Volume source, byte[] mask) => Write(MaskVolume(source, mask), path);

    /// <summary>As <see cref="WriteMask(string, Volume, byte[])"/>, gzip-compressed (.nii.gz bytes) into a stream.</summary>
    public static void WriteMaskGzip(Stream stream, Volume source, byte[] mask)
    {
        using var gz = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        Write(MaskVolume(source, mask), gz);
    }

    private static Volume MaskVolume(Volume source, byte[] mask)
    {
        if (mask.LongLength != source.VoxelCount)
            throw new ArgumentException($"mask has {mask.LongLength} voxels; the {source.Width}x{source.Height}x{source.Depth} volume has {source.VoxelCount}", nameof(mask));
        var header = source.Header with
        {
            DataType = (short)NiftiDataType.UInt8, BitPix = 8, SclSlope = 1, SclInter = 0, CalMin = 0, CalMax = 0,
            IntentCode = 0, IntentP1 = 0, IntentP2 = 0, IntentP3 = 0, IntentName = "", Description = "segbridge mask",
            Dim = [3, (short)source.Width, (short)source.Height, (short)source.Depth, 1, 1, 1, 1],
        };
        return new Volume(header, VoxelBuffer.Of(mask));
    }
}
