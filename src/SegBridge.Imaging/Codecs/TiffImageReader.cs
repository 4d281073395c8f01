using BitMiracle.LibTiff.Classic;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// TIFF through LibTiff.NET, first page only. Plain 8/16-bit unsigned and 32-bit float data with
/// 1, 3 or 4 interleaved samples are read sample-exactly from strips or tiles (16-bit and float
/// are stretched min..max, see <see cref="SampleConversion"/>); everything else (palette,
/// JPEG/YCbCr, bilevel, CMYK, planar, grey+alpha) goes through LibTiff's RGBA renderer.
/// </summary>
internal static class TiffImageReader
{
    public static ImageRaster Read(byte[] bytes, long maxPixels)
    {
        TiffErrorCapture.EnsureInstalled();
        TiffErrorCapture.Clear();
        try
        {
            using var tif = Tiff.ClientOpen("image.tif", "r", new MemoryStream(bytes, writable: false), new TiffStream())
                ?? throw Corrupt("the header could not be read");
            int width = Int(tif, TiffTag.IMAGEWIDTH), height = Int(tif, TiffTag.IMAGELENGTH);
            if (width <= 0 || height <= 0) throw Corrupt($"invalid size {width}x{height}");
            ImageTooLargeException.ThrowIfTooLarge(width, height, maxPixels);

            var layout = TiffLayout.Describe(tif, width, height);
            return layout.CanReadSamples ? ReadSamples(tif, layout) : ReadViaRgba(tif, layout);
        }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw Corrupt(e.Message, e); }
    }

    private static ImageRaster ReadSamples(Tiff tif, TiffLayout l)
    {
        var raw = new byte[CheckedBufferSize((long)l.Width * l.Height * l.BytesPerPixel, l)];
        if (l.Tiled) ReadTiles(tif, l, raw); else ReadStrips(tif, l, raw);

        int outChannels = l.SamplesPerPixel == 1 ? 1 : 3;
        byte[] pixels = l.BitsPerSample switch
        {
            8 => SampleConversion.KeepChannels(raw, l.SamplesPerPixel, outChannels),
            16 => SampleConversion.StretchToBytes(SampleConversion.KeepChannels(Reinterpret<ushort>(raw), l.SamplesPerPixel, outChannels)),
            _ => SampleConversion.StretchToBytes(SampleConversion.KeepChannels(Reinterpret<float>(raw), l.SamplesPerPixel, outChannels),
                     (i, v) => new ImageDecodeException($"TIFF with float32 samples contains {v} at sample {i}; only finite values can be shown")),
        };
        if (l.MinIsWhite) for (long i = 0; i < pixels.LongLength; i++) pixels[i] = (byte)(255 - pixels[i]);
        return new ImageRaster(l.Width, l.Height, outChannels, pixels);
    }

    private static void ReadStrips(Tiff tif, TiffLayout l, byte[] dst)
    {
        int rowBytes = l.Width * l.BytesPerPixel;
        int strips = (l.Height + l.RowsPerStrip - 1) / l.RowsPerStrip;
        for (int s = 0; s < strips; s++)
        {
            int firstRow = s * l.RowsPerStrip;
            int rows = Math.Min(l.RowsPerStrip, l.Height - firstRow);
            int got = tif.ReadEncodedStrip(s, dst, firstRow * rowBytes, rows * rowBytes);
            if (got < 0) throw Corrupt($"strip {s} could not be read");
        }
    }

    private static void ReadTiles(Tiff tif, TiffLayout l, byte[] dst)
    {
        var tile = new byte[tif.TileSize()];
        int tileRowBytes = l.TileWidth * l.BytesPerPixel;
        for (int ty = 0; ty < l.Height; ty += l.TileHeight)
            for (int tx = 0; tx < l.Width; tx += l.TileWidth)
            {
                if (tif.ReadTile(tile, 0, tx, ty, 0, 0) < 0) throw Corrupt($"tile at ({tx},{ty}) could not be read");
                int rows = Math.Min(l.TileHeight, l.Height - ty);
                int copyBytes = Math.Min(l.TileWidth, l.Width - tx) * l.BytesPerPixel;
                for (int r = 0; r < rows; r++)
                    Buffer.BlockCopy(tile, r * tileRowBytes, dst, ((ty + r) * l.Width + tx) * l.BytesPerPixel, copyBytes);
            }
    }

    private static ImageRaster ReadViaRgba(Tiff tif, TiffLayout l)
    {
        var abgr = new int[CheckedBufferSize((long)l.Width * l.Height * 4, l) / 4];
        if (!tif.ReadRGBAImageOriented(l.Width, l.Height, abgr, Orientation.TOPLEFT))
            throw Corrupt($"cannot decode this TIFF variant ({l.Summary})");
        int channels = l.IsGreyscale ? 1 : 3;
        var pixels = new byte[(long)abgr.Length * channels];
        for (long i = 0; i < abgr.LongLength; i++)
        {
            int v = abgr[i];
            if (channels == 1) { pixels[i] = (byte)Tiff.GetR(v); continue; }
            pixels[i * 3] = (byte)Tiff.GetR(v);
            pixels[i * 3 + 1] = (byte)Tiff.GetG(v);
            pixels[i * 3 + 2] = (byte)Tiff.GetB(v);
        }
        return new ImageRaster(l.Width, l.Height, channels, pixels);
    }

    private static T[] Reinterpret<T>(byte[] raw) where T : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw).ToArray();

    private static long CheckedBufferSize(long bytes, TiffLayout l)
        => bytes <= Array.MaxLength ? bytes
            : throw new ImageDecodeException($"TIFF is {l.Width}x{l.Height} ({l.Summary}); its {bytes} bytes do not fit in one buffer");

    private static int Int(Tiff tif, TiffTag tag)
    {
        var v = tif.GetField(tag);
        return v == null || v.Length == 0 ? throw Corrupt($"required tag {tag} is missing") : v[0].ToInt();
    }

    private static ImageDecodeException Corrupt(string why, Exception? inner = null)
    {
        string detail = TiffErrorCapture.LastError is { } libtiff && !why.Contains(libtiff) ? $"{why} ({libtiff})" : why;
        return inner == null ? new ImageDecodeException($"corrupt TIFF: {detail}") : new ImageDecodeException($"corrupt TIFF: {detail}", inner);
    }
}
