using System.Buffers.Binary;
using System.IO.Compression;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// Reads the stored first sample of every pixel of a PNG, bit for bit. Label images must not go
/// through an image library's display pipeline: palette PNGs (the PASCAL VOC convention) would
/// come out as palette colours instead of indices, 16-bit and low-bit-depth greys would be
/// rescaled, and gamma/ICC chunks could shift values. Here a label is the grey value, the palette
/// index, or the red sample, exactly as stored. Non-interlaced PNGs only (label tools do not
/// interlace); chunk CRCs are not checked, the zlib checksum of the pixel data is.
/// </summary>
internal static class PngLabelReader
{
    public static (int Width, int Height, byte[] Values) Read(byte[] png, long maxPixels)
    {
        var (width, height, wide, _) = ReadWide(png, maxPixels);
        var values = new byte[wide.LongLength];
        for (long i = 0; i < wide.LongLength; i++)
        {
            if (wide[i] > 255) throw new ImageDecodeException($"label PNG has value {wide[i]} at ({i % width},{i / width}); labels must be 0..255");
            values[i] = (byte)wide[i];
        }
        return (width, height, values);
    }

    /// <summary>Every stored first sample as 16 bits (instance-label masks are 16-bit PNGs), and the bit depth.</summary>
    public static (int Width, int Height, ushort[] Values, int BitDepth) ReadWide(byte[] png, long maxPixels)
    {
        if (ImageFormatSniffer.Detect(png) != ImageFormat.Png)
            throw new ImageDecodeException($"label image is not a PNG file ({ImageFormatSniffer.FirstBytes(png)})");
        var (header, idat) = ReadChunks(png);
        if (header.Length < 13) throw Corrupt("the IHDR chunk is missing or short");
        long width = BinaryPrimitives.ReadUInt32BigEndian(header), height = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        int bitDepth = header[8], colorType = header[9], interlace = header[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue) throw Corrupt($"invalid size {width}x{height}");
        ImageTooLargeException.ThrowIfTooLarge(width, height, maxPixels);
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw Corrupt($"unknown colour type {colorType}") };
        if (bitDepth is not (1 or 2 or 4 or 8 or 16) || (bitDepth < 8 && channels != 1)) throw Corrupt($"invalid bit depth {bitDepth} for colour type {colorType}");
        if (interlace != 0) throw new ImageDecodeException("label PNG is interlaced; save it without interlacing (labels are read sample-exactly)");

        int bitsPerPixel = bitDepth * channels;
        long rowBytes = (width * bitsPerPixel + 7) / 8;
        if ((rowBytes + 1) * height > Array.MaxLength) throw new ImageDecodeException($"label PNG {width}x{height} does not fit in one buffer");
        var raw = Inflate(idat, (rowBytes + 1) * height);
        Unfilter(raw, (int)rowBytes, (int)height, Math.Max(1, bitsPerPixel / 8));

        var values = new ushort[width * height];
        for (int y = 0; y < height; y++)
        {
            int row = y * ((int)rowBytes + 1) + 1;
            for (int x = 0; x < width; x++)
            {
                int v = bitDepth switch
                {
                    8 => raw[row + x * channels],
                    16 => raw[row + x * channels * 2] << 8 | raw[row + x * channels * 2 + 1],
                    _ => raw[row + x * bitDepth / 8] >> (8 - bitDepth - x * bitDepth % 8) & ((1 << bitDepth) - 1),
                };
                values[(long)y * width + x] = (ushort)v;
            }
        }
        return ((int)width, (int)height, values, bitDepth);
    }

    private static (byte[] Header, byte[] Idat) ReadChunks(byte[] png)
    {
        byte[] header = [];
        var idat = new MemoryStream();
        int at = 8;
        while (at + 8 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            if (length > png.Length - at - 12) throw Corrupt($"chunk {type} runs past the end of the file (truncated?)");
            var data = png.AsSpan(at + 8, (int)length);
            if (type == "IHDR") header = data.ToArray();
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            at += 12 + (int)length;
        }
        if (idat.Length == 0) throw Corrupt("no image data (IDAT) found");
        return (header, idat.ToArray());
    }

    /// <summary>Inflates exactly the expected number of bytes, so a zip bomb cannot make us allocate more.</summary>
    private static byte[] Inflate(byte[] compressed, long expected)
    {
        var raw = new byte[expected];
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (EndOfStreamException) { throw Corrupt("the pixel data is truncated"); }
        catch (InvalidDataException e) { throw Corrupt($"the compressed pixel data is damaged ({e.Message})"); }
        return raw;
    }

    /// <summary>Undoes PNG's per-row prediction filters in place (rows are 1 filter byte + rowBytes).</summary>
    private static void Unfilter(byte[] data, int rowBytes, int height, int bpp)
    {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++)
        {
            int row = y * stride + 1, prev = row - stride;
            int filter = data[row - 1];
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? data[row + i - bpp] : 0;
                int b = y > 0 ? data[prev + i] : 0;
                int c = y > 0 && i >= bpp ? data[prev + i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, 4 => Paeth(a, b, c),
                    _ => throw Corrupt($"row {y} has unknown filter type {filter}"),
                };
                data[row + i] = (byte)(data[row + i] + predictor);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static ImageDecodeException Corrupt(string why) => new($"corrupt PNG: {why}");
}
