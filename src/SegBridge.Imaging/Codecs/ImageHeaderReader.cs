using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// An image file's format and size, read from its header alone (Skia's codecs and LibTiff read a seekable stream
/// on demand), so a file can be refused for its size before its bytes are read into memory.
/// </summary>
public static class ImageHeaderReader
{
    /// <summary>Most bytes a pixel can take in a file we decode whole: four 32-bit samples, uncompressed.</summary>
    public const int MaxBytesPerPixel = 16;
    /// <summary>Room for what an image file holds besides its pixels (metadata, ICC profiles, thumbnails).</summary>
    public const long MetadataAllowance = 64L << 20;

    /// <summary>The format and size in <paramref name="file"/>'s header; <see cref="ImageFormat.Unknown"/> with size 0 when it is none we decode.</summary>
    public static (ImageFormat Format, int Width, int Height) Read(Stream file)
    {
        var head = new byte[16];
        file.Position = 0;
        int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = ImageFormatSniffer.Detect(head.AsSpan(0, got));
        if (format == ImageFormat.Unknown) return (format, 0, 0);
        file.Position = 0;
        var (width, height) = format == ImageFormat.Tiff ? TiffSize(file) : SkiaSize(file, format);
        file.Position = 0;
        return (format, width, height);
    }

    /// <summary>The largest file a <paramref name="width"/>×<paramref name="height"/> image can plausibly be: anything bigger is not only that image.</summary>
    public static long MaxFileBytes(long width, long height) => width * height * MaxBytesPerPixel + MetadataAllowance;

    private static (int, int) SkiaSize(Stream file, ImageFormat format)
    {
        try
        {
            // The codec must not close the caller's stream: it reads through a wrapper it may dispose.
            using var codec = SKCodec.Create(new NonClosingStream(file), out var result)
                ?? throw new ImageDecodeException($"corrupt {SkiaImageReader.Name(format)}: the header could not be read ({result})");
            return (codec.Info.Width, codec.Info.Height);
        }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException($"corrupt {SkiaImageReader.Name(format)}: the header could not be read", e); }
    }

    private static (int, int) TiffSize(Stream file)
    {
        TiffErrorCapture.EnsureInstalled();
        TiffErrorCapture.Clear();
        try
        {
            using var tif = Tiff.ClientOpen("image.tif", "r", new NonClosingStream(file), new TiffStream())
                ?? throw new ImageDecodeException("corrupt TIFF: the header could not be read");
            int width = tif.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0, height = tif.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
            return width > 0 && height > 0 ? (width, height) : throw new ImageDecodeException($"corrupt TIFF: invalid size {width}x{height}");
        }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException("corrupt TIFF: the header could not be read", e); }
    }

    /// <summary>Lets a library "close" a stream it was lent without closing the caller's file.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
