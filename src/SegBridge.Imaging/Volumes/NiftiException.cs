using SegBridge.Imaging.Codecs;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// A NIfTI file is malformed or uses something this reader does not support. The message names the header
/// field (as the NIfTI-1 standard spells it) and what is allowed, so a user can see which tool wrote a bad
/// file. Derives from <see cref="ImageDecodeException"/> so the engine's "unreadable image" mapping applies.
/// </summary>
public sealed class NiftiException : ImageDecodeException
{
    /// <summary>The header field at fault (dim[2], vox_offset, datatype, …), or "data" / "gzip" for the payload.</summary>
    public string Field { get; }
    /// <summary>What the field may hold, when that can be said briefly.</summary>
    public string? Allowed { get; }

    public NiftiException(string field, string problem, string? allowed = null, Exception? inner = null)
        : base(allowed is null ? $"NIfTI {field}: {problem}" : $"NIfTI {field}: {problem}; allowed: {allowed}", inner!)
    {
        Field = field; Allowed = allowed;
    }
}
