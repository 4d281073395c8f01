using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Models;

/// <summary>
/// A model that turns masks drawn on some axial slices of a volume into a mask of the whole volume, with a
/// quality score per slice (Mem3D). Masks come back per slice as COCO RLE so a 512×512×300 result stays small.
/// </summary>
public interface IVolumeModel
{
    /// <param name="interactive">Every slice the user has segmented (the memory holds all of them).</param>
    /// <param name="start">The slice of the newest round: propagation runs from it towards both ends.</param>
    /// <param name="previous">The latest propagation of this volume (null in the first round): a slice nearer to
    /// another interactive slice than to <paramref name="start"/> keeps its mask and score from it, so a correction
    /// changes the slices it is nearest to and never undoes what an earlier round fixed elsewhere.</param>
    VolumePropagation Propagate(Volume volume, IReadOnlyList<InteractiveSlice> interactive, int start, VolumePropagation? previous,
        IProgress<VolumeProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>A slice the user segmented, with its mask (the volume's slice size).</summary>
public sealed record InteractiveSlice(int Slice, Mask Mask);

/// <summary>
/// Slices done so far of the total; <paramref name="Slice"/> is the one just finished, final from now on, with its
/// mask (COCO RLE counts, as in <see cref="VolumePropagation.SliceRle"/>), foreground pixels and quality score.
/// </summary>
public sealed record VolumeProgress(int Done, int Total, int Slice, int[] SliceRle, long ForegroundPixels, float Quality);

/// <param name="SliceRle">COCO RLE counts (column-major, as <c>CocoRle</c>) of each slice's mask.</param>
/// <param name="Quality">Predicted IoU per slice in [0, 1]; interactive slices get 1.</param>
/// <param name="ForegroundPerSlice">Foreground voxels per slice.</param>
public sealed record VolumePropagation(int[][] SliceRle, float[] Quality, long[] ForegroundPerSlice, int[] InteractiveSlices, double Seconds, string Notes);

/// <summary>How a volume's masks become a slice model's prior (<see cref="ModelSessionState.SlicePrior"/>).</summary>
public static class VolumeModelState
{
    /// <summary>
    /// A slice's propagated mask (0/1) as f_In's prior: 0.9 inside, 0.1 outside, the soft mask f_In's training
    /// priors are made of, so the prior says "probably" rather than "certainly".
    /// </summary>
    public static float[] PriorFromMask(byte[] mask) => Array.ConvertAll(mask, v => v != 0 ? 0.9f : 0.1f);
}
