using SegBridge.Engine.Sessions;
using SegBridge.Engine.Volumes;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>The volume methods' side of the protocol face: their formats, their results and their errors.</summary>
internal static class VolumeResults
{
    public const string FormatRle = "rle", FormatNifti = "nifti";

    /// <summary>What <c>SessionInfo.initialMask</c> says for a session that starts from its slice's propagated mask.</summary>
    public const string PropagationInitialMask = "propagation";

    public static string CheckFormat(string? format) => string.IsNullOrEmpty(format) ? FormatRle
        : format is FormatRle or FormatNifti ? format
        : throw Errors.Argument("format", $"unknown volume mask format '{format}'; allowed: rle, nifti", "rle, nifti");

    public static PropagateVolumeResult Propagated(VolumeService.Plan plan, string format, VolumePropagation r)
    {
        var v = plan.Volume;
        return new PropagateVolumeResult
        {
            SessionId = plan.Session.Id, ImageId = plan.Session.Image.Id, ModelId = plan.Session.Model.Manifest.Id,
            Width = v.Width, Height = v.Height, Depth = v.Depth, StartSlice = plan.Slice, InteractiveSlices = r.InteractiveSlices,
            Format = format,
            Slices = format == FormatRle
                ? r.SliceRle.Select((rle, z) => new VolumeSliceMask { Slice = z, Rle = new RleDto { Size = [v.Height, v.Width], Counts = rle }, ForegroundPixels = r.ForegroundPerSlice[z] }).ToArray()
                : null,
            Nifti = format == FormatNifti ? NiftiBytes(v, r) : null,
            Quality = r.Quality.Select(q => Math.Round((double)q, 4)).ToArray(),
            SuggestedSlice = SliceSuggestion.Suggest(r, SliceRanking.LowestQuality),
            ForegroundVoxels = r.ForegroundPerSlice.Sum(),
            ModelMs = Math.Round(r.Seconds * 1000, 1),
            Notes = r.Notes,
        };
    }

    public static SuggestSliceResult Suggested(Session session, VolumeService.Suggestion s, SliceRanking ranking) => new()
    {
        SessionId = session.Id, Slice = s.Slice, Quality = Math.Round(s.Quality, 4), Rank = SliceSuggestion.Name(ranking),
        ExpectedErrors = Math.Round(s.ExpectedErrors, 1), InteractiveSlices = s.InteractiveSlices,
    };

    /// <summary>The guide's id, "propagation", or null, as <c>SessionInfo.initialMask</c> names a session's start.</summary>
    public static string? InitialMaskName(SessionStart start) => start switch
    {
        SessionStart.Guide g => g.Model.Manifest.Id,
        SessionStart.Propagated => PropagationInitialMask,
        _ => null,
    };

    /// <summary>The per-slice masks as one .nii.gz on the source grid (the only place a dense mask exists, while encoding).</summary>
    private static byte[] NiftiBytes(Volume volume, VolumePropagation r)
    {
        var dense = new byte[volume.VoxelCount];
        for (int z = 0; z < volume.Depth; z++)
        {
            var slice = CocoRle.Decode(r.SliceRle[z], volume.Width, volume.Height);
            Array.Copy(slice.Data, 0, dense, (long)z * volume.SlicePixels, volume.SlicePixels);
        }
        using var stream = new MemoryStream();
        NiftiWriter.WriteMaskGzip(stream, volume, dense);
        return stream.ToArray();
    }
}
