using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// A volume's voxels in their stored type (an int16 CT stays 2 bytes a voxel: 512×512×300 is 150 MB, not
/// the 600 MB of a float64 copy). Values are unscaled; <see cref="Volume"/> applies scl_slope/scl_inter.
/// </summary>
public abstract class VoxelBuffer
{
    public abstract NiftiDataType Type { get; }
    public abstract int Length { get; }
    /// <summary>The stored (unscaled) value at a flat index (x fastest, then y, then z).</summary>
    public abstract double this[long index] { get; }
    /// <summary>Unscaled values [start, start + destination.Length) as float.</summary>
    public abstract void CopyTo(int start, Span<float> destination);
    /// <summary>The bytes of [start, start + count) in machine (little-endian) order; readers fill volumes chunk by chunk through this.</summary>
    public abstract Span<byte> Bytes(int start, int count);

    public int BytesPerVoxel => NiftiDataTypes.Bytes(Type);

    public static VoxelBuffer Allocate(NiftiDataType type, int count) => type switch
    {
        NiftiDataType.UInt8 => new VoxelBuffer<byte>(GC.AllocateUninitializedArray<byte>(count)),
        NiftiDataType.Int8 => new VoxelBuffer<sbyte>(GC.AllocateUninitializedArray<sbyte>(count)),
        NiftiDataType.Int16 => new VoxelBuffer<short>(GC.AllocateUninitializedArray<short>(count)),
        NiftiDataType.UInt16 => new VoxelBuffer<ushort>(GC.AllocateUninitializedArray<ushort>(count)),
        NiftiDataType.Int32 => new VoxelBuffer<int>(GC.AllocateUninitializedArray<int>(count)),
        NiftiDataType.UInt32 => new VoxelBuffer<uint>(GC.AllocateUninitializedArray<uint>(count)),
        NiftiDataType.Float32 => new VoxelBuffer<float>(GC.AllocateUninitializedArray<float>(count)),
        NiftiDataType.Float64 => new VoxelBuffer<double>(GC.AllocateUninitializedArray<double>(count)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"datatype {type} is not supported"),
    };

    /// <summary>Wraps an existing array (no copy); T must be one of the supported NIfTI types.</summary>
    public static VoxelBuffer<T> Of<T>(T[] values) where T : unmanaged, INumberBase<T> => new(values);

    /// <summary>Reverses the byte order of [start, start + count) in place (big-endian files).</summary>
    public void SwapBytes(int start, int count)
    {
        var bytes = Bytes(start, count);
        switch (BytesPerVoxel)
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(bytes), MemoryMarshal.Cast<byte, ushort>(bytes)); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes)); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes)); break;
        }
    }
}

public sealed class VoxelBuffer<T> : VoxelBuffer where T : unmanaged, INumberBase<T>
{
    public T[] Values { get; }

    internal VoxelBuffer(T[] values)
    {
        Values = values;
        Type = default(T) switch
        {
            byte => NiftiDataType.UInt8, sbyte => NiftiDataType.Int8, short => NiftiDataType.Int16, ushort => NiftiDataType.UInt16,
            int => NiftiDataType.Int32, uint => NiftiDataType.UInt32, float => NiftiDataType.Float32, double => NiftiDataType.Float64,
            _ => throw new ArgumentException($"{typeof(T).Name} is not a NIfTI voxel type"),
        };
    }

    public override NiftiDataType Type { get; }
    public override int Length => Values.Length;
    public override double this[long index] => double.CreateTruncating(Values[index]);

    public override void CopyTo(int start, Span<float> destination)
    {
        var src = Values.AsSpan(start, destination.Length);
        for (int i = 0; i < src.Length; i++) destination[i] = float.CreateTruncating(src[i]);
    }

    public override Span<byte> Bytes(int start, int count)
    {
        return MemoryMarshal.AsBytes(Values.AsSpan(start, count));
    }
}
