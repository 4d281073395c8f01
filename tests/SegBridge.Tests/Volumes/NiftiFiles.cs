using System.Buffers.Binary;
using System.IO.Compression;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Tests.Volumes;

/// <summary>Small valid NIfTI files made in C#, and byte-level edits that break one field at a time.</summary>
public static class NiftiFiles
{
    /// <summary>A 4×3×2 int16 volume, voxel i = i * 10 - 50, spacing (0.5, 0.75, 2), a qform and an sform.</summary>
    public static Volume SmallVolume(int w = 4, int h = 3, int d = 2)
    {
        var values = new short[w * h * d];
        for (int i = 0; i < values.Length; i++) values[i] = (short)(i * 10 - 50);
        var header = new NiftiHeader
        {
            Dim = [3, (short)w, (short)h, (short)d, 1, 1, 1, 1],
            DataType = (short)NiftiDataType.Int16, BitPix = 16,
            PixDim = [1, 0.5f, 0.75f, 2, 1, 1, 1, 1],
            QformCode = 1, QoffsetX = 10, QoffsetY = -20, QoffsetZ = 30,
            SformCode = 1, SrowX = [0.5f, 0, 0, 10], SrowY = [0, 0.75f, 0, -20], SrowZ = [0, 0, 2, 30],
            XyztUnits = 2,
        };
        return new Volume(header, VoxelBuffer.Of(values));
    }

    public static byte[] Nii(Volume? volume = null)
    {
        using var ms = new MemoryStream();
        NiftiWriter.Write(volume ?? SmallVolume(), ms);
        return ms.ToArray();
    }

    public static byte[] Gzip(byte[] plain)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(plain);
        return ms.ToArray();
    }

    public static byte[] With(byte[] file, Action<byte[]> edit)
    {
        var copy = (byte[])file.Clone();
        edit(copy);
        return copy;
    }

    public static void Int16At(byte[] b, int offset, short value) => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(offset), value);
    public static void Int32At(byte[] b, int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(offset), value);
    public static void FloatAt(byte[] b, int offset, float value) => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(offset), value);

    /// <summary>dim[i] lives at byte 40 + 2i.</summary>
    public static void Dim(byte[] b, int i, short value) => Int16At(b, 40 + 2 * i, value);
}
