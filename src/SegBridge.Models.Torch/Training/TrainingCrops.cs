using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>The training augmentation every trainer shares, so click, guide and refinement networks see the same crops.</summary>
internal static class TrainingCrops
{
    /// <summary>
    /// Random rescale, crop (zero padded when the image is smaller), flips and a random 90° turn. When
    /// <paramref name="acceptObjectShare"/> is given, the object share of the crop window is measured on the
    /// stored mask first and a rejected window returns null before any tensor work (trainers redraw cheaply).
    /// </summary>
    public static (Tensor Image, byte[] Mask)? Sample(TrainingSample sample, Random rng, int size, double minScale, double maxScale, Func<double, bool>? acceptObjectShare = null)
    {
        double scale = minScale + rng.NextDouble() * (maxScale - minScale);
        int w = Math.Max(1, (int)Math.Round(sample.Image.Width * scale)), h = Math.Max(1, (int)Math.Round(sample.Image.Height * scale));
        int x0 = w > size ? rng.Next(w - size + 1) : 0, y0 = h > size ? rng.Next(h - size + 1) : 0;
        bool flipX = rng.Next(2) == 1, flipY = rng.Next(2) == 1, transpose = rng.Next(2) == 1;
        if (acceptObjectShare is not null && !acceptObjectShare(WindowShare(sample.Mask, scale, x0, y0, size))) return null;

        var image = ImageTensors.Normalised(sample.Image);
        var mask = tensor(sample.Mask.Data.Select(v => v != 0 ? 1f : 0f).ToArray(), [1, 1, sample.Image.Height, sample.Image.Width]);
        if (scale != 1)
        {
            image = nn.functional.interpolate(image, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            mask = nn.functional.interpolate(mask, [h, w], mode: InterpolationMode.Nearest);
        }
        image = nn.functional.pad(image[.., .., y0..Math.Min(h, y0 + size), x0..Math.Min(w, x0 + size)], [0, Math.Max(0, size - (w - x0)), 0, Math.Max(0, size - (h - y0))]);
        mask = nn.functional.pad(mask[.., .., y0..Math.Min(h, y0 + size), x0..Math.Min(w, x0 + size)], [0, Math.Max(0, size - (w - x0)), 0, Math.Max(0, size - (h - y0))]);
        if (flipX) { image = image.flip(3); mask = mask.flip(3); }
        if (flipY) { image = image.flip(2); mask = mask.flip(2); }
        if (transpose) { image = image.transpose(2, 3); mask = mask.transpose(2, 3); }
        var maskBytes = mask.contiguous().data<float>().ToArray().Select(v => v > 0.5f ? (byte)1 : (byte)0).ToArray();
        return (image.contiguous(), maskBytes);
    }

    /// <summary>Object share of the crop window (padding counts as background), on the stored mask at stored resolution.</summary>
    private static double WindowShare(SegBridge.Imaging.Rasters.Mask mask, double scale, int x0, int y0, int size)
    {
        int sx0 = (int)(x0 / scale), sy0 = (int)(y0 / scale);
        int sx1 = Math.Min(mask.Width, (int)Math.Ceiling((x0 + size) / scale)), sy1 = Math.Min(mask.Height, (int)Math.Ceiling((y0 + size) / scale));
        long count = 0;
        for (int y = sy0; y < sy1; y++)
            for (int x = sx0; x < sx1; x++)
                if (mask.Data[y * mask.Width + x] != 0) count++;
        return count / (size / scale * (size / scale));
    }
}
