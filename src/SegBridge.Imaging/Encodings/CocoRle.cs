using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// COCO "uncompressed RLE": run lengths over the mask read in column-major (Fortran) order,
/// alternating background and foreground and always starting with a background run (possibly 0),
/// exactly what pycocotools.mask.frPyObjects/decode expect with size [height, width].
/// </summary>
public static class CocoRle
{
    public static int[] Encode(Mask mask)
    {
        var counts = new List<int>();
        bool current = false; // the first run counts background
        int run = 0;
        for (int x = 0; x < mask.Width; x++)
            for (int y = 0; y < mask.Height; y++)
            {
                bool fg = mask.Data[(long)y * mask.Width + x] != 0;
                if (fg != current) { counts.Add(run); run = 0; current = fg; }
                run++;
            }
        counts.Add(run);
        return counts.ToArray();
    }

    public static Mask Decode(int[] counts, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (width <= 0 || height <= 0) throw new ArgumentException($"RLE size {width}x{height} must be positive");
        long total = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0) throw new ArgumentException($"RLE count {i} is {counts[i]}; counts must not be negative", nameof(counts));
            total += counts[i];
        }
        long expected = (long)width * height;
        if (total != expected)
            throw new ArgumentException($"RLE counts sum to {total}; expected width*height = {width}*{height} = {expected}", nameof(counts));

        var mask = new Mask(width, height);
        long position = 0; // index in column-major order
        for (int i = 0; i < counts.Length; i++)
        {
            bool fg = (i & 1) == 1;
            for (long end = position + counts[i]; position < end; position++)
                if (fg) mask.Data[(position % height) * width + position / height] = 1;
        }
        return mask;
    }
}
