using System.Runtime.InteropServices;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// Raw little-endian pixel arrays sent by clients that already hold decoded data (numpy arrays).
/// Every inconsistency is reported against the request field that caused it.
/// </summary>
internal static class RawArrayReader
{
    public static readonly string[] DTypes = ["uint8", "uint16", "float32"];

    public static ImageRaster Read(int width, int height, int channels, string dtype, byte[] data, long maxPixels)
    {
        if (width <= 0) throw new RawArrayException("width", $"raw.width is {width}; it must be at least 1");
        if (height <= 0) throw new RawArrayException("height", $"raw.height is {height}; it must be at least 1");
        if (channels is not (1 or 3 or 4)) throw new RawArrayException("channels", $"raw.channels is {channels}; it must be 1 (grey), 3 (RGB) or 4 (RGBA, alpha is dropped)");
        int sampleBytes = dtype switch
        {
            "uint8" => 1, "uint16" => 2, "float32" => 4,
            _ => throw new RawArrayException("dtype", $"raw.dtype is \"{dtype}\"; it must be one of {string.Join(", ", DTypes)}"),
        };
        ImageTooLargeException.ThrowIfTooLarge(width, height, maxPixels);
        if (data == null) throw new RawArrayException("data", "raw.data is missing");

        // width*height*channels*sampleBytes can exceed long for absurd ints, hence decimal.
        decimal expected = (decimal)width * height * channels * sampleBytes;
        if (data.LongLength != expected)
            throw new RawArrayException("data",
                $"raw.data has {data.LongLength} bytes; expected width*height*channels*{sampleBytes} = {expected} for {dtype}");
        if ((decimal)width * height * 3 > Array.MaxLength)
            throw new RawArrayException("data", $"raw image {width}x{height} does not fit in one buffer");

        int outChannels = channels == 1 ? 1 : 3;
        byte[] pixels = dtype switch
        {
            "uint8" => SampleConversion.KeepChannels(data, channels, outChannels),
            "uint16" => SampleConversion.StretchToBytes(SampleConversion.KeepChannels(MemoryMarshal.Cast<byte, ushort>(LittleEndian(data, 2)).ToArray(), channels, outChannels)),
            _ => SampleConversion.StretchToBytes(SampleConversion.KeepChannels(MemoryMarshal.Cast<byte, float>(LittleEndian(data, 4)).ToArray(), channels, outChannels),
                    (i, v) => new RawArrayException("data", $"raw.data (float32) contains {v} at element {i}; only finite values can be rescaled to 0..255")),
        };
        return new ImageRaster(width, height, outChannels, pixels);
    }

    /// <summary>The wire format is little-endian; on a big-endian host swap each sample.</summary>
    private static byte[] LittleEndian(byte[] data, int sampleBytes)
    {
        if (BitConverter.IsLittleEndian) return data;
        var swapped = (byte[])data.Clone();
        for (long i = 0; i < swapped.LongLength; i += sampleBytes) Array.Reverse(swapped, (int)i, sampleBytes);
        return swapped;
    }
}
