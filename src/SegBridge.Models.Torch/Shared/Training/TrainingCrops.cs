using SegBridge.Imaging.Rasters;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// The training augmentation every trainer shares: random rescale, crop (zero padded when the image is smaller),
/// flips and a random 90° turn. The random draws happen in a fixed order, so a seed fixes the crops.
/// </summary>
internal static class TrainingCrops
{
    /// <summary>
    /// One augmented crop of <paramref name="image"/>: the normalised image (1,3,size,size) and, when a mask is
    /// given, the mask crop (1 = object) transformed the same way; null for an image-level (class-only) sample.
    /// </summary>
    public static (Tensor Image, byte[]? Mask) Random(ImageRaster image, Mask? mask, int size, double minScale, double maxScale, Random rng)
        => Random(image, mask, size, minScale, maxScale, rng, acceptObjectShare: null)!.Value;

    /// <summary>
    /// As above, but when <paramref name="acceptObjectShare"/> is given the object share of the crop window is
    /// measured on the stored mask first, and a rejected window returns null before any tensor work, so a trainer
    /// that filters crops (RefineNet's 20–80 % rule) redraws cheaply. The random draws are the same either way.
    /// </summary>
    public static (Tensor Image, byte[]? Mask)? Random(ImageRaster image, Mask? mask, int size, double minScale, double maxScale, Random rng, Func<double, bool>? acceptObjectShare)
    {
        double scale = minScale + rng.NextDouble() * (maxScale - minScale);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        int x0 = w > size ? rng.Next(w - size + 1) : 0, y0 = h > size ? rng.Next(h - size + 1) : 0;
        bool flipX = rng.Next(2) == 1, flipY = rng.Next(2) == 1, transpose = rng.Next(2) == 1;
        if (acceptObjectShare is not null && mask is not null && !acceptObjectShare(WindowShare(mask, scale, x0, y0, size))) return null;

        var imageTensor = ImageTensors.Normalised(image);
        var maskTensor = mask is null ? null : tensor(mask.Data.Select(v => v != 0 ? 1f : 0f).ToArray(), [1, 1, image.Height, image.Width]);
        if (scale != 1)
        {
            imageTensor = nn.functional.interpolate(imageTensor, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            maskTensor = maskTensor is null ? null : nn.functional.interpolate(maskTensor, [h, w], mode: InterpolationMode.Nearest);
        }
        imageTensor = Transform(imageTensor, x0, y0, w, h, size, flipX, flipY, transpose);
        if (maskTensor is null) return (imageTensor.contiguous(), null);
        maskTensor = Transform(maskTensor, x0, y0, w, h, size, flipX, flipY, transpose);
        return (imageTensor.contiguous(), maskTensor.contiguous().data<float>().ToArray().Select(v => v > 0.5f ? (byte)1 : (byte)0).ToArray());
    }

    private static Tensor Transform(Tensor t, int x0, int y0, int w, int h, int size, bool flipX, bool flipY, bool transpose)
    {
        t = nn.functional.pad(t[.., .., y0..Math.Min(h, y0 + size), x0..Math.Min(w, x0 + size)], [0, Math.Max(0, size - (w - x0)), 0, Math.Max(0, size - (h - y0))]);
        if (flipX) t = t.flip(3);
        if (flipY) t = t.flip(2);
        if (transpose) t = t.transpose(2, 3);
        return t;
    }

    /// <summary>Object share of the crop window (padding counts as background), on the stored mask at stored resolution.</summary>
    private static double WindowShare(Mask mask, double scale, int x0, int y0, int size)
    {
        int sx0 = (int)(x0 / scale), sy0 = (int)(y0 / scale);
        int sx1 = Math.Min(mask.Width, (int)Math.Ceiling((x0 + size) / scale)), sy1 = Math.Min(mask.Height, (int)Math.Ceiling((y0 + size) / scale));
        long count = 0;
        for (int y = sy0; y < sy1; y++)
            for (int x = sx0; x < sx1; x++)
                if (mask.Data[y * mask.Width + x] != 0) count++;
        return count / (size / scale * (size / scale));
    }

    /// <summary>The crops' masks as the (N,1,size,size) float target of a segmentation loss (1 = object).</summary>
    public static Tensor Targets(IEnumerable<byte[]> masks, int size)
        => cat(masks.Select(m => tensor(m.Select(v => v != 0 ? 1f : 0f).ToArray(), [1, 1, size, size])).ToList(), 0);
}
