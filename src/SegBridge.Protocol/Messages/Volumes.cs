using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>
/// Propagate a session's mask through its volume (Mem3D): the session must be on an axial slice of a volume with
/// a model that propagates (family torch/mem3d). Its current mask is the interactive input of this round; every
/// slice propagated from before (sessions of the same image and model) stays in the memory.
/// </summary>
[DataContract]
public sealed class PropagateVolumeParams
{
    [DataMember(Name = "sessionId")] public string? SessionId { get; init; }
    /// <summary>"rle" (default): one COCO RLE per slice; "nifti": the whole mask as .nii.gz bytes on the source volume's grid.</summary>
    [DataMember(Name = "format")] public string? Format { get; init; }
    /// <summary>
    /// When given, the engine sends a volumes/progress notification carrying this token for every slice as soon as
    /// its mask is final (the slice's RLE and quality included), before the response.
    /// </summary>
    [DataMember(Name = "progressToken")] public string? ProgressToken { get; init; }
}

/// <summary>
/// volumes/progress: one slice of a running volumes/propagate is final. Slices arrive in the order they are
/// computed (the interactive slices first, then outwards from the start slice in each direction), not slice order.
/// </summary>
[DataContract]
public sealed class VolumeProgressParams
{
    [DataMember(Name = "progressToken")] public required string ProgressToken { get; init; }
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    /// <summary>Slices final so far, this one included, of <see cref="Total"/> (the volume's depth).</summary>
    [DataMember(Name = "done")] public required int Done { get; init; }
    [DataMember(Name = "total")] public required int Total { get; init; }
    [DataMember(Name = "slice")] public required int Slice { get; init; }
    /// <summary>The slice's mask as COCO RLE (size [height, width]), exactly as in the final result.</summary>
    [DataMember(Name = "rle")] public required RleDto Rle { get; init; }
    [DataMember(Name = "foregroundPixels")] public required long ForegroundPixels { get; init; }
    /// <summary>f_QA's predicted IoU of the slice (1 for a slice the user segmented).</summary>
    [DataMember(Name = "quality")] public required double Quality { get; init; }
}

[DataContract]
public sealed class VolumeSliceMask
{
    [DataMember(Name = "slice")] public required int Slice { get; init; }
    [DataMember(Name = "rle")] public required RleDto Rle { get; init; }
    [DataMember(Name = "foregroundPixels")] public required long ForegroundPixels { get; init; }
}

[DataContract]
public sealed class PropagateVolumeResult
{
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "modelId")] public required string ModelId { get; init; }
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    [DataMember(Name = "depth")] public required int Depth { get; init; }
    /// <summary>The slice this round propagated from (the session's slice).</summary>
    [DataMember(Name = "startSlice")] public required int StartSlice { get; init; }
    /// <summary>Every slice segmented by the user so far (all in the memory), ascending.</summary>
    [DataMember(Name = "interactiveSlices")] public required int[] InteractiveSlices { get; init; }
    [DataMember(Name = "format")] public required string Format { get; init; }
    /// <summary>Per-slice masks (format "rle"), slice 0 first.</summary>
    [DataMember(Name = "slices")] public VolumeSliceMask[]? Slices { get; init; }
    /// <summary>The whole mask as gzip-compressed NIfTI-1 uint8 (format "nifti"), same dims, pixdim, qform and sform as the source.</summary>
    [DataMember(Name = "nifti")] public byte[]? Nifti { get; init; }
    /// <summary>f_QA's predicted IoU per slice in [0, 1] (interactive slices 1), slice 0 first.</summary>
    [DataMember(Name = "quality")] public required double[] Quality { get; init; }
    /// <summary>The slice with the lowest quality score among the segmented-by-the-model slices the user has not segmented (what volumes/suggest answers).</summary>
    [DataMember(Name = "suggestedSlice")] public int? SuggestedSlice { get; init; }
    [DataMember(Name = "foregroundVoxels")] public required long ForegroundVoxels { get; init; }
    [DataMember(Name = "modelMs")] public required double ModelMs { get; init; }
    [DataMember(Name = "notes")] public string? Notes { get; init; }
}

[DataContract]
public sealed class SuggestSliceParams
{
    [DataMember(Name = "sessionId")] public string? SessionId { get; init; }
    /// <summary>
    /// How slices are ranked (protocol 1.1): "lowestQuality" (default; the paper's rule: the lowest f_QA score) or
    /// "mostExpectedErrors" (the most pixels the score expects to be wrong: mask pixels × (1 − q) / q, so a slice with a few
    /// false-positive pixels does not outrank a large, half-found object).
    /// </summary>
    [DataMember(Name = "rank")] public string? Rank { get; init; }
}

[DataContract]
public sealed class SuggestSliceResult
{
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    /// <summary>The best-ranked non-interactive slice of the latest propagation, among slices with a non-empty mask (the lowest quality score among all when every mask is empty).</summary>
    [DataMember(Name = "slice")] public required int Slice { get; init; }
    [DataMember(Name = "quality")] public required double Quality { get; init; }
    /// <summary>The ranking used (protocol 1.1).</summary>
    [DataMember(Name = "rank")] public string? Rank { get; init; }
    /// <summary>Pixels the quality score expects to be wrong on that slice: mask pixels × (1 − q) / q, q at least 0.05 (protocol 1.1).</summary>
    [DataMember(Name = "expectedErrors")] public double? ExpectedErrors { get; init; }
    [DataMember(Name = "interactiveSlices")] public required int[] InteractiveSlices { get; init; }
}
