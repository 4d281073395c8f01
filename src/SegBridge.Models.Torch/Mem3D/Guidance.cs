using SegBridge.Imaging.Rasters;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>The three kinds of user input f_In is trained on.</summary>
public enum GuidanceKind { Scribble, Box, ExtremePoints }

/// <summary>An ROI in slice pixels, [X0, X1) × [Y0, Y1).</summary>
public readonly record struct Roi(int X0, int Y0, int X1, int Y1)
{
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;
}

/// <summary>
/// The binary guidance image of f_In and its ROI, the same for training and for sessions:
/// a scribble is its stroke pixels; a box is its outline (2 px); extreme points are disks of radius 3.
/// The ROI is the bounding box of the user input enlarged by 10 % of its size on each side (at least 4 px); a
/// scribble lies inside the object rather than around it, so its box is enlarged by 10 % and at least 16 px.
/// The ROI is resized to RoiSize² for f_In (bilinear for the slice and the previous mask; the guidance is
/// resized bilinearly and any nonzero value kept, so thin strokes survive) and the output pasted back.
/// </summary>
public static class Guidance
{
    public const double Enlarge = 0.10;
    public const int MinMargin = 4, ScribbleMinMargin = 16, DiskRadius = 3, BoxLine = 2;

    /// <summary>The bounding box of the nonzero pixels, or null.</summary>
    public static Roi? Bounds(byte[] pixels, int width, int height)
    {
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (pixels[y * width + x] != 0) { x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y); }
        return x1 < 0 ? null : new Roi(x0, y0, x1 + 1, y1 + 1);
    }

    /// <summary>The input's box enlarged (10 %, at least the kind's margin) and clipped to the slice.</summary>
    public static Roi Enlarge10(Roi input, GuidanceKind kind, int width, int height)
    {
        int min = kind == GuidanceKind.Scribble ? ScribbleMinMargin : MinMargin;
        int mx = Math.Max(min, (int)Math.Ceiling(Enlarge * input.Width)), my = Math.Max(min, (int)Math.Ceiling(Enlarge * input.Height));
        return new Roi(Math.Max(0, input.X0 - mx), Math.Max(0, input.Y0 - my), Math.Min(width, input.X1 + mx), Math.Min(height, input.Y1 + my));
    }

    /// <summary>A box's 2-px outline on a slice.</summary>
    public static byte[] BoxOutline(Roi box, int width, int height)
    {
        var g = new byte[width * height];
        for (int y = Math.Max(0, box.Y0); y < Math.Min(height, box.Y1); y++)
            for (int x = Math.Max(0, box.X0); x < Math.Min(width, box.X1); x++)
                if (x < box.X0 + BoxLine || x >= box.X1 - BoxLine || y < box.Y0 + BoxLine || y >= box.Y1 - BoxLine) g[y * width + x] = 1;
        return g;
    }

    /// <summary>Disks of radius 3 at the points.</summary>
    public static byte[] Disks(IEnumerable<(double X, double Y)> points, int width, int height)
    {
        var g = new byte[width * height];
        foreach (var (px, py) in points)
            for (int y = (int)Math.Floor(py - DiskRadius); y <= (int)Math.Ceiling(py + DiskRadius); y++)
                for (int x = (int)Math.Floor(px - DiskRadius); x <= (int)Math.Ceiling(px + DiskRadius); x++)
                    if (x >= 0 && y >= 0 && x < width && y < height && (x + 0.5 - px) * (x + 0.5 - px) + (y + 0.5 - py) * (y + 0.5 - py) <= DiskRadius * DiskRadius)
                        g[y * width + x] = 1;
        return g;
    }

    /// <summary>The four extreme points (leftmost, rightmost, top, bottom pixel centres) of a mask, or null when empty.</summary>
    public static (double X, double Y)[]? ExtremePoints(byte[] mask, int width, int height, Random? jitter = null, int jitterPixels = 0)
    {
        (int X, int Y) l = (int.MaxValue, 0), r = (-1, 0), t = (0, int.MaxValue), b = (0, -1);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (mask[y * width + x] == 0) continue;
                if (x < l.X) l = (x, y);
                if (x > r.X) r = (x, y);
                if (y < t.Y) t = (x, y);
                if (y > b.Y) b = (x, y);
            }
        if (r.X < 0) return null;
        double J() => jitter is null || jitterPixels == 0 ? 0 : jitter.Next(-jitterPixels, jitterPixels + 1);
        return [(l.X + 0.5 + J(), l.Y + 0.5 + J()), (r.X + 0.5 + J(), r.Y + 0.5 + J()), (t.X + 0.5 + J(), t.Y + 0.5 + J()), (b.X + 0.5 + J(), b.Y + 0.5 + J())];
    }

    /// <summary>The ROI of a (H,W) plane resized to size² as (1,1,size,size).</summary>
    public static Tensor Crop(Tensor plane, Roi roi, int size)
    {
        using var scope = NewDisposeScope();
        var crop = plane[TensorIndex.Slice(roi.Y0, roi.Y1), TensorIndex.Slice(roi.X0, roi.X1)].reshape(1, 1, roi.Height, roi.Width);
        return nn.functional.interpolate(crop, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
    }

    /// <summary>f_In's input (1,3,R,R): slice ROI, previous-mask ROI and binarised guidance ROI.</summary>
    public static Tensor Input(Tensor slice, Tensor previous, Tensor guidance, Roi roi, int size)
    {
        using var scope = NewDisposeScope();
        var g = Crop(guidance, roi, size).gt(Scalars.Of(0)).to_type(ScalarType.Float32);
        return cat([Crop(slice, roi, size), Crop(previous, roi, size), g], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Resizes (1,1,R,R) output back to the ROI and writes it into a copy of <paramref name="onto"/> (H,W).</summary>
    public static Tensor Paste(Tensor output, Tensor onto, Roi roi)
    {
        using var scope = NewDisposeScope();
        var back = nn.functional.interpolate(output, [roi.Height, roi.Width], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
        var result = onto.clone();
        result[TensorIndex.Slice(roi.Y0, roi.Y1), TensorIndex.Slice(roi.X0, roi.X1)] = back;
        return result.MoveToOuterDisposeScope();
    }

    public static Tensor Plane(float[] values, int width, int height) => tensor(values, [height, width]);
    public static Tensor Plane(byte[] values, int width, int height) => tensor(values.Select(v => v != 0 ? 1f : 0f).ToArray(), [height, width]);
}
