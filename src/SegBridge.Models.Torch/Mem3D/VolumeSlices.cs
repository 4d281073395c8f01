using SegBridge.Imaging.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// How Mem3D sees a volume's intensities: each value through the volume's display window
/// (<see cref="VolumeWindow"/>, 0.5th–99.5th percentile) to [0, 1], clamped, NaN as 0 — the same numbers a slice
/// session's 8-bit raster carries divided by 255, so f_In in a session and f_Mem in propagation agree.
/// </summary>
public static class VolumeSlices
{
    /// <summary>Slice z normalised, as an (H,W) tensor on the CPU.</summary>
    public static Tensor Normalised(Volume volume, int z)
    {
        var values = volume.SliceAsFloat(z);
        var (low, high) = volume.DisplayWindow;
        double scale = high > low ? 1.0 / (high - low) : 0;
        for (int i = 0; i < values.Length; i++)
        {
            double v = (values[i] - low) * scale;
            values[i] = double.IsNaN(v) ? 0f : (float)Math.Clamp(v, 0, 1);
        }
        return tensor(values, [volume.Height, volume.Width]);
    }

    /// <summary>An (H,W) plane resized to (1,1,size,size), bilinear.</summary>
    public static Tensor Small(Tensor plane, int size)
    {
        using var scope = NewDisposeScope();
        var x = plane.reshape(1, 1, plane.shape[0], plane.shape[1]);
        return nn.functional.interpolate(x, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
    }
}
