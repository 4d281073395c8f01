using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>
/// A session works on a region of the image (default: all of it) at a resolution (default: full). For a
/// whole-slide image the region is in level-0 pixels and the resolution is chosen by at most one of mpp,
/// downsample or magnification; the engine reads the best level, aligned to its pixel grid.
/// </summary>
[DataContract]
public sealed class CreateSessionParams
{
    [DataMember(Name = "imageId")] public string? ImageId { get; init; }
    [DataMember(Name = "modelId")] public string? ModelId { get; init; }
    [DataMember(Name = "region")] public RegionDto? Region { get; init; }
    /// <summary>Microns per working pixel (whole-slide images that state their mpp).</summary>
    [DataMember(Name = "mpp")] public double? Mpp { get; init; }
    /// <summary>Level-0 pixels per working pixel (1 = full resolution).</summary>
    [DataMember(Name = "downsample")] public double? Downsample { get; init; }
    /// <summary>Objective magnification, e.g. 5 for 5× (slides that state openslide.objective-power).</summary>
    [DataMember(Name = "magnification")] public double? Magnification { get; init; }
    /// <summary>For a volume (required there, refused for 2D images): the axial slice, 0..depth-1, the session works on.</summary>
    [DataMember(Name = "slice")] public int? Slice { get; init; }
    /// <summary>
    /// The session's starting mask, which undo and reset go back to: "none" (empty), "model" (the session model's own
    /// prediction without interactions, e.g. a click model's base network, as the CGAM paper starts) or the id of a
    /// guide model (e.g. guide-hist-imagenet) whose prediction it is. Omitted: the model's default (models/list's
    /// initialMask; click models start from their own prediction).
    /// </summary>
    [DataMember(Name = "initialMask")] public string? InitialMask { get; init; }
}

/// <summary>A rectangle in image (level-0) pixels.</summary>
[DataContract]
public sealed class RegionDto
{
    [DataMember(Name = "x")] public long X { get; init; }
    [DataMember(Name = "y")] public long Y { get; init; }
    [DataMember(Name = "width")] public long Width { get; init; }
    [DataMember(Name = "height")] public long Height { get; init; }
}

[DataContract]
public sealed class SessionInfo
{
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "modelId")] public required string ModelId { get; init; }
    /// <summary>Size of the working raster the model sees (the region at the session's resolution).</summary>
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    [DataMember(Name = "interactionCount")] public required int InteractionCount { get; init; }
    /// <summary>Image (level-0) position of the working raster's top-left corner, and level-0 pixels per working pixel.</summary>
    [DataMember(Name = "originX")] public double OriginX { get; init; }
    [DataMember(Name = "originY")] public double OriginY { get; init; }
    [DataMember(Name = "downsample")] public double Downsample { get; init; } = 1;
    /// <summary>Microns per working pixel, when the image states its pixel size (whole-slide images).</summary>
    [DataMember(Name = "mpp")] public double? Mpp { get; init; }
    /// <summary>For a session on a volume: its axial slice.</summary>
    [DataMember(Name = "slice")] public int? Slice { get; init; }
    /// <summary>
    /// The model whose prediction without interactions the session started from (a guide, or the session's own model
    /// for "model"); null for an empty start; "propagation" for a session on
    /// a volume slice that volumes/propagate has segmented before (with the same model): it starts from that
    /// slice's propagated mask, which the volumetric model refines (undo and reset return to it).
    /// </summary>
    [DataMember(Name = "initialMask")] public string? InitialMask { get; init; }
}

[DataContract]
public sealed class SessionListResult
{
    [DataMember(Name = "sessions")] public required SessionInfo[] Sessions { get; init; }
}

/// <summary>Names a session and, optionally, the mask format wanted back.</summary>
[DataContract]
public sealed class SessionParams
{
    [DataMember(Name = "sessionId")] public string? SessionId { get; init; }
    /// <summary>rle (default), png, raw or polygons.</summary>
    [DataMember(Name = "format")] public string? Format { get; init; }
    /// <summary>Douglas–Peucker tolerance in pixels for polygons (default 0: exact pixel edges).</summary>
    [DataMember(Name = "tolerance")] public double? Tolerance { get; init; }
}

/// <summary>
/// Exactly one of click, scribble, labels or box must be given. Clicks, scribbles and boxes are in image
/// (level-0) pixels; a labels image is the size of the session's working raster.
/// </summary>
[DataContract]
public sealed class InteractParams
{
    [DataMember(Name = "sessionId")] public string? SessionId { get; init; }
    [DataMember(Name = "click")] public ClickDto? Click { get; init; }
    [DataMember(Name = "scribble")] public ScribbleDto? Scribble { get; init; }
    [DataMember(Name = "labels")] public LabelsDto? Labels { get; init; }
    [DataMember(Name = "box")] public BoxDto? Box { get; init; }
    [DataMember(Name = "extremePoints")] public ExtremePointsDto? ExtremePoints { get; init; }
    /// <summary>Mask format wanted back: rle (default), png, raw or polygons.</summary>
    [DataMember(Name = "format")] public string? Format { get; init; }
    [DataMember(Name = "tolerance")] public double? Tolerance { get; init; }
}

[DataContract]
public sealed class ClickDto
{
    [DataMember(Name = "x")] public double X { get; init; }
    [DataMember(Name = "y")] public double Y { get; init; }
    [DataMember(Name = "positive")] public bool Positive { get; init; } = true;
    /// <summary>Seed disk radius in pixels; default 3 for classical models.</summary>
    [DataMember(Name = "radius")] public double? Radius { get; init; }
}

[DataContract]
public sealed class ScribbleDto
{
    /// <summary>Polyline vertices as [x, y] pairs in image pixels.</summary>
    [DataMember(Name = "points")] public double[][]? Points { get; init; }
    [DataMember(Name = "positive")] public bool Positive { get; init; } = true;
    /// <summary>Stroke width in pixels; default 3.</summary>
    [DataMember(Name = "width")] public double? Width { get; init; }
}

/// <summary>A label image the size of the session image: 0 unlabelled, 1 foreground, 2 background.</summary>
[DataContract]
public sealed class LabelsDto
{
    /// <summary>A PNG whose grey values are the labels.</summary>
    [DataMember(Name = "png")] public byte[]? Png { get; init; }
    /// <summary>Width*height bytes, row-major.</summary>
    [DataMember(Name = "raw")] public byte[]? Raw { get; init; }
}

/// <summary>The object's four extreme points (left-, right-, top- and bottom-most, any order), for models that list extremePoints (Mem3D).</summary>
[DataContract]
public sealed class ExtremePointsDto
{
    /// <summary>Exactly four [x, y] pairs in image pixels, inside the image (or the session's region).</summary>
    [DataMember(Name = "points")] public double[][]? Points { get; init; }
}

/// <summary>A box in image pixels; x1, y1 exclusive.</summary>
[DataContract]
public sealed class BoxDto
{
    [DataMember(Name = "x0")] public double X0 { get; init; }
    [DataMember(Name = "y0")] public double Y0 { get; init; }
    [DataMember(Name = "x1")] public double X1 { get; init; }
    [DataMember(Name = "y1")] public double Y1 { get; init; }
}

[DataContract]
public sealed class MaskResult
{
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    [DataMember(Name = "format")] public required string Format { get; init; }
    /// <summary>Size of the mask raster: the session's working raster.</summary>
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    /// <summary>Where the raster sits in the image: image = origin + raster · downsample. Polygons are already in image coordinates.</summary>
    [DataMember(Name = "originX")] public double OriginX { get; init; }
    [DataMember(Name = "originY")] public double OriginY { get; init; }
    [DataMember(Name = "downsample")] public double Downsample { get; init; } = 1;
    /// <summary>Foreground bounding box [x, y, width, height] in raster pixels; null when the mask is empty.</summary>
    [DataMember(Name = "bbox")] public int[]? Bbox { get; init; }
    [DataMember(Name = "foregroundPixels")] public required long ForegroundPixels { get; init; }
    [DataMember(Name = "interactionCount")] public required int InteractionCount { get; init; }
    /// <summary>Milliseconds the model took for the latest computation.</summary>
    [DataMember(Name = "modelMs")] public required double ModelMs { get; init; }
    /// <summary>How the model reached the mask (e.g. which background rule it used).</summary>
    [DataMember(Name = "notes")] public string? Notes { get; init; }
    /// <summary>Set for format rle: COCO uncompressed RLE, column-major counts starting with background.</summary>
    [DataMember(Name = "rle")] public RleDto? Rle { get; init; }
    /// <summary>Set for png (8-bit grey PNG, 0/255) and raw (width*height bytes, 0/1, row-major).</summary>
    [DataMember(Name = "data")] public byte[]? Data { get; init; }
    /// <summary>Set for polygons: a GeoJSON MultiPolygon in image (level-0) pixel coordinates, ready for QuPath.</summary>
    [DataMember(Name = "geometry")] public GeoJsonMultiPolygon? Geometry { get; init; }
}

[DataContract]
public sealed class RleDto
{
    /// <summary>[height, width], as in COCO.</summary>
    [DataMember(Name = "size")] public required int[] Size { get; init; }
    [DataMember(Name = "counts")] public required int[] Counts { get; init; }
}

[DataContract]
public sealed class GeoJsonMultiPolygon
{
    [DataMember(Name = "type")] public string Type { get; init; } = "MultiPolygon";
    /// <summary>polygons → rings (first outer, counter-clockwise; then holes) → [x, y] points, closed.</summary>
    [DataMember(Name = "coordinates")] public required double[][][][] Coordinates { get; init; }
}

[DataContract]
public sealed class HistoryResult
{
    [DataMember(Name = "sessionId")] public required string SessionId { get; init; }
    /// <summary>Applied interactions, oldest first.</summary>
    [DataMember(Name = "interactions")] public required InteractionRecord[] Interactions { get; init; }
    /// <summary>Undone interactions that redo would re-apply, next first; an undone sessions/reset is a record of type "reset".</summary>
    [DataMember(Name = "redoable")] public required InteractionRecord[] Redoable { get; init; }
}

[DataContract]
public sealed class InteractionRecord
{
    /// <summary>click, scribble, labels, box or extremePoints; in redoable also reset (an undone sessions/reset, with no other field).</summary>
    [DataMember(Name = "type")] public required string Type { get; init; }
    [DataMember(Name = "click")] public ClickDto? Click { get; init; }
    [DataMember(Name = "scribble")] public ScribbleDto? Scribble { get; init; }
    [DataMember(Name = "box")] public BoxDto? Box { get; init; }
    [DataMember(Name = "extremePoints")] public ExtremePointsDto? ExtremePoints { get; init; }
    /// <summary>For labels: how many pixels were labelled foreground and background.</summary>
    [DataMember(Name = "labelledPixels")] public long? LabelledPixels { get; init; }
}
