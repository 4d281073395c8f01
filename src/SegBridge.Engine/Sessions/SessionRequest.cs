namespace SegBridge.Engine.Sessions;

/// <summary>
/// What a client asks of a new session's pixels, in the engine's terms: the region of the image (level-0 pixels;
/// null = the whole image), at most one of mpp, downsample or magnification for a whole-slide image, and the axial
/// slice for a volume. <see cref="SessionPlanner.Resolve"/> checks it and names the field at fault.
/// </summary>
public sealed record SessionRequest
{
    public RequestedRegion? Region { get; init; }
    public double? Mpp { get; init; }
    public double? Downsample { get; init; }
    public double? Magnification { get; init; }
    public int? Slice { get; init; }
}

/// <summary>A rectangle of an image in level-0 pixels, as the client gave it (not yet checked).</summary>
public readonly record struct RequestedRegion(long X, long Y, long Width, long Height);
