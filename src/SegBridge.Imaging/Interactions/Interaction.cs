namespace SegBridge.Imaging.Interactions;

/// <summary>
/// What a user did, in pixel coordinates of the model's image. Plain data: the engine maps the
/// protocol's records to these, the eval robots produce them, models consume them.
/// </summary>
public abstract record Interaction(bool Positive);

/// <summary>A click at sub-pixel position (X, Y); Radius is the seed disk radius in pixels (0 = one pixel).</summary>
public sealed record Click(double X, double Y, bool Positive, double Radius = 0) : Interaction(Positive);

/// <summary>A polyline stroke of the given width in pixels.</summary>
public sealed record Scribble(IReadOnlyList<PointD> Points, bool Positive, double Width = 3) : Interaction(Positive);

/// <summary>A whole label image (0 unlabelled, 1 foreground, 2 background) the size of the image.</summary>
public sealed record LabelImage(byte[] Labels, int Width, int Height) : Interaction(true);

/// <summary>A box around the object: everything outside is background. X1, Y1 are exclusive.</summary>
public sealed record Box(double X0, double Y0, double X1, double Y1) : Interaction(true);

/// <summary>
/// The object's extreme points (left-, right-, top- and bottom-most, in any order), as DEXTR and Mem3D take them:
/// their bounding box is the object's, and each lies on its boundary.
/// </summary>
public sealed record ExtremePoints(IReadOnlyList<PointD> Points) : Interaction(true);

public readonly record struct PointD(double X, double Y);
