using System.IO.Compression;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace SegBridge.Tests.Imaging;

/// <summary>Builds encoded test images in memory, independently of the decoders under test.</summary>
internal static class TestImages
{
    /// <summary>Deterministic RGB gradient with a different pattern per channel.</summary>
    public static byte[] RgbPattern(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                px[i] = (byte)(x * 255 / Math.Max(1, w - 1));
                px[i + 1] = (byte)(y * 255 / Math.Max(1, h - 1));
                px[i + 2] = (byte)((x * 7 + y * 13) % 256);
            }
        return px;
    }

    public static byte[] SkiaEncode(int w, int h, int channels, byte[] pixels, SKEncodedImageFormat format, int quality = 100)
    {
        byte[] buffer;
        SKImageInfo info;
        if (channels == 1)
        {
            buffer = pixels;
            info = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
        }
        else
        {
            buffer = new byte[w * h * 4];
            for (int p = 0; p < w * h; p++)
            {
                buffer[p * 4] = pixels[p * channels];
                buffer[p * 4 + 1] = pixels[p * channels + 1];
                buffer[p * 4 + 2] = pixels[p * channels + 2];
                buffer[p * 4 + 3] = channels == 4 ? pixels[p * 4 + 3] : (byte)255;
            }
            info = new SKImageInfo(w, h, SKColorType.Rgba8888, channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        }
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
            return data.ToArray();
        }
        finally { handle.Free(); }
    }

    /// <summary>A minimal PNG writer (no filtering), so tests can make 16-bit and other variants Skia will not encode.</summary>
    public static byte[] RawPng(int w, int h, int bitDepth, int colorType, byte[] rowsWithoutFilterBytes, byte[]? palette = null, bool interlaced = false)
    {
        int rowBytes = rowsWithoutFilterBytes.Length / h;
        var filtered = new MemoryStream();
        for (int y = 0; y < h; y++) { filtered.WriteByte(0); filtered.Write(rowsWithoutFilterBytes, y * rowBytes, rowBytes); }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(filtered.ToArray());

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, w); WriteBigEndian(ihdr, 4, h);
        ihdr[8] = (byte)bitDepth; ihdr[9] = (byte)colorType; ihdr[12] = interlaced ? (byte)1 : (byte)0;
        Chunk(png, "IHDR", ihdr);
        if (palette != null) Chunk(png, "PLTE", palette);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[4];
        WriteBigEndian(header, 0, data.Length);
        s.Write(header);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        WriteBigEndian(header, 0, (int)Crc32(typed));
        s.Write(header);
    }

    private static void WriteBigEndian(byte[] b, int at, int v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>
    /// Writes one TIFF page from interleaved samples (native byte order for 16-bit) in strips of
    /// 7 rows, or in 16x16 tiles when tiled, so that partial strips and edge tiles are exercised.
    /// </summary>
    public static byte[] Tiff(int w, int h, int spp, int bps, byte[] samples, Photometric photometric,
        bool tiled = false, Compression compression = Compression.NONE, Action<Tiff>? extraTags = null)
    {
        var ms = new MemoryStream();
        using (var tif = BitMiracle.LibTiff.Classic.Tiff.ClientOpen("test.tif", "w", ms, new TiffStream()))
        {
            tif.SetField(TiffTag.IMAGEWIDTH, w);
            tif.SetField(TiffTag.IMAGELENGTH, h);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, spp);
            tif.SetField(TiffTag.BITSPERSAMPLE, bps);
            tif.SetField(TiffTag.PHOTOMETRIC, photometric);
            tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tif.SetField(TiffTag.COMPRESSION, compression);
            if (spp == 4) tif.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
            extraTags?.Invoke(tif);
            int pixelBytes = spp * bps / 8, rowBytes = w * pixelBytes;
            if (tiled)
            {
                const int tile = 16;
                tif.SetField(TiffTag.TILEWIDTH, tile);
                tif.SetField(TiffTag.TILELENGTH, tile);
                var buf = new byte[tile * tile * pixelBytes];
                for (int ty = 0; ty < h; ty += tile)
                    for (int tx = 0; tx < w; tx += tile)
                    {
                        Array.Clear(buf);
                        for (int r = 0; r < tile && ty + r < h; r++)
                            Buffer.BlockCopy(samples, (ty + r) * rowBytes + tx * pixelBytes, buf, r * tile * pixelBytes, Math.Min(tile, w - tx) * pixelBytes);
                        tif.WriteTile(buf, tx, ty, 0, 0);
                    }
            }
            else
            {
                // JPEG strips must be whole 8-row MCU blocks.
                tif.SetField(TiffTag.ROWSPERSTRIP, compression == Compression.JPEG ? 16 : 7);
                var row = new byte[rowBytes];
                for (int y = 0; y < h; y++)
                {
                    Buffer.BlockCopy(samples, y * rowBytes, row, 0, rowBytes);
                    tif.WriteScanline(row, y);
                }
            }
        }
        return ms.ToArray();
    }
}
