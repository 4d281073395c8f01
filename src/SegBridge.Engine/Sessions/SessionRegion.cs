namespace SegBridge.Engine.Sessions;

/// <summary>
/// The part of an image a session works on, in image (level-0) pixels, and at which resolution: the
/// downsample (level-0 pixels per working pixel) after mpp or magnification were resolved. For a volume,
/// the axial slice the region lies on.
/// </summary>
public sealed record SessionRegion(long X, long Y, long Width, long Height, double Downsample, int? Slice = null);
