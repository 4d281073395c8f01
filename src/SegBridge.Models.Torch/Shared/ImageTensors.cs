using SegBridge.Imaging.Rasters;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch;

/// <summary>
/// Raster ↔ network tensors: ImageNet mean/std normalisation, a downscale so the longer side is at most
/// maxSide (area averaging), and zero padding (the mean colour after normalisation) to a multiple of 16, the
/// network's output stride.
/// </summary>
public sealed class ImageTensors
{
    /// <summary>ImageNet RGB mean and std the engine normalises images with (0–1 scale).</summary>
    public static readonly float[] ChannelMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ChannelStd = [0.229f, 0.224f, 0.225f];

    /// <summary>Network pixels per raster pixel (≤ 1).</summary>
    public double Scale { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>(1,3,H',W') with H', W' multiples of 16.</summary>
    public Tensor Padded { get; }

    private ImageTensors(double scale, int width, int height, Tensor padded) { Scale = scale; Width = width; Height = height; Padded = padded; }

    public static ImageTensors FromRaster(ImageRaster raster, int maxSide)
    {
        using var scope = NewDisposeScope();
        var x = Normalised(raster);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(raster.Width, raster.Height));
        int w = raster.Width, h = raster.Height;
        if (scale < 1)
        {
            w = Math.Max(1, (int)Math.Round(raster.Width * scale));
            h = Math.Max(1, (int)Math.Round(raster.Height * scale));
            x = nn.functional.interpolate(x, [h, w], mode: InterpolationMode.Area);
        }
        int pw = (w + 15) / 16 * 16, ph = (h + 15) / 16 * 16;
        if (pw != w || ph != h) x = nn.functional.pad(x, [0, pw - w, 0, ph - h]);
        return new ImageTensors(scale, w, h, x.MoveToOuterDisposeScope());
    }

    /// <summary>(1,3,H,W) float tensor, ImageNet-normalised; grey images are repeated over the three channels.</summary>
    public static Tensor Normalised(ImageRaster raster)
    {
        int n = raster.Width * raster.Height;
        var data = new float[3 * n];
        var px = raster.Pixels;
        for (int c = 0; c < 3; c++)
        {
            int src = raster.Channels == 3 ? c : 0;
            float mean = ChannelMean[c], std = ChannelStd[c];
            for (int i = 0; i < n; i++) data[c * n + i] = (px[i * raster.Channels + src] / 255f - mean) / std;
        }
        return tensor(data, [1, 3, raster.Height, raster.Width]);
    }

    /// <summary>
    /// Raster coordinates → network coordinates (pixel centres map to pixel centres), kept inside the network
    /// image: after a downscale the last raster row's centre can land half a pixel beyond the last network row.
    /// </summary>
    public (double X, double Y) ToNetwork(double x, double y)
        => (Math.Clamp((Math.Floor(x) + 0.5) * Scale - 0.5, 0, Width - 1), Math.Clamp((Math.Floor(y) + 0.5) * Scale - 0.5, 0, Height - 1));

    /// <summary>Padded (1,1,H',W') logits → foreground probability at raster size, row-major.</summary>
    public float[] ToRasterProbability(Tensor logits, int rasterWidth, int rasterHeight)
    {
        using var scope = NewDisposeScope();
        var valid = logits[.., .., ..Height, ..Width];
        if (Height != rasterHeight || Width != rasterWidth)
            valid = nn.functional.interpolate(valid, [rasterHeight, rasterWidth], mode: InterpolationMode.Bilinear, align_corners: false);
        return sigmoid(valid).contiguous().data<float>().ToArray();
    }
}
