namespace SegBridge.Imaging.Slides;

/// <summary>OpenSlide's pre-multiplied ARGB (native-endian uint32: a&lt;&lt;24 | r&lt;&lt;16 | g&lt;&lt;8 | b) to 8-bit RGB.</summary>
public static class ArgbConversion
{
    /// <summary>
    /// alpha 255: r, g, b copied; alpha 0: the <paramref name="transparent"/> colour; otherwise un-premultiplied
    /// as openslide-python's <c>_convert.argb2rgba</c> does (<c>(byte)(255*c/a)</c>, integer division), so the
    /// result equals <c>read_region(...).convert('RGB')</c> for every pixel with alpha &gt; 0.
    /// </summary>
    public static unsafe void ToRgb(ReadOnlySpan<uint> argb, Span<byte> rgb, TransparentPixels transparent)
    {
        if (rgb.Length < argb.Length * 3L) throw new ArgumentException($"rgb buffer has {rgb.Length} bytes, needs {argb.Length * 3L}", nameof(rgb));
        byte bg = transparent == TransparentPixels.White ? (byte)255 : (byte)0;
        fixed (uint* src0 = argb)
        fixed (byte* dst0 = rgb)
        {
            uint* src = src0; byte* dst = dst0;
            for (int i = 0; i < argb.Length; i++, dst += 3)
            {
                uint v = src[i];
                uint a = v >> 24;
                if (a == 255)
                {
                    dst[0] = (byte)(v >> 16); dst[1] = (byte)(v >> 8); dst[2] = (byte)v;
                }
                else if (a == 0)
                {
                    dst[0] = bg; dst[1] = bg; dst[2] = bg;
                }
                else
                {
                    dst[0] = unchecked((byte)(255 * ((v >> 16) & 0xFF) / a));
                    dst[1] = unchecked((byte)(255 * ((v >> 8) & 0xFF) / a));
                    dst[2] = unchecked((byte)(255 * (v & 0xFF) / a));
                }
            }
        }
    }
}
