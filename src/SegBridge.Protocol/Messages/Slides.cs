using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>
/// Run a guide model (role "guide", e.g. tissue) over a region of a whole-slide image, or all of it, with no
/// interactions. The region is in level-0 pixels (default: the whole slide); the working resolution is at
/// most one of mpp or downsample (default: the model's mpp). Regions of any size are processed in
/// overlapping tiles with bounded memory.
/// </summary>
[DataContract]
public sealed class InferSlideParams
{
    [DataMember(Name = "imageId")] public string? ImageId { get; init; }
    [DataMember(Name = "modelId")] public string? ModelId { get; init; }
    [DataMember(Name = "region")] public RegionDto? Region { get; init; }
    /// <summary>Microns per working pixel; at least the slide's own (no upsampling).</summary>
    [DataMember(Name = "mpp")] public double? Mpp { get; init; }
    /// <summary>Level-0 pixels per working pixel, at least 1.</summary>
    [DataMember(Name = "downsample")] public double? Downsample { get; init; }
    /// <summary>Douglas–Peucker tolerance in working pixels (default 1; 0 = exact pixel edges).</summary>
    [DataMember(Name = "tolerance")] public double? Tolerance { get; init; }
    /// <summary>When given, the engine sends slides/progress notifications carrying this token as tiles finish, before the response.</summary>
    [DataMember(Name = "progressToken")] public string? ProgressToken { get; init; }
}

/// <summary>slides/progress: tiles of a running slides/infer finished so far.</summary>
[DataContract]
public sealed class SlideProgressParams
{
    [DataMember(Name = "progressToken")] public required string ProgressToken { get; init; }
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "done")] public required int Done { get; init; }
    [DataMember(Name = "total")] public required int Total { get; init; }
}

[DataContract]
public sealed class InferSlideResult
{
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "modelId")] public required string ModelId { get; init; }
    /// <summary>Class of the polygons (e.g. Tissue), as QuPath's classification name.</summary>
    [DataMember(Name = "classification")] public required string Classification { get; init; }
    /// <summary>The level-0 region that was processed.</summary>
    [DataMember(Name = "region")] public required RegionDto Region { get; init; }
    /// <summary>Level-0 pixels per working pixel, and µm per working pixel when the slide states its pixel size.</summary>
    [DataMember(Name = "downsample")] public required double Downsample { get; init; }
    [DataMember(Name = "mpp")] public double? Mpp { get; init; }
    /// <summary>Pyramid level read.</summary>
    [DataMember(Name = "level")] public required int Level { get; init; }
    /// <summary>Working raster size in pixels.</summary>
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    [DataMember(Name = "tiles")] public required int Tiles { get; init; }
    /// <summary>Working pixels predicted as foreground, before small objects and holes are cleaned up.</summary>
    [DataMember(Name = "foregroundPixels")] public required long ForegroundPixels { get; init; }
    [DataMember(Name = "modelMs")] public required double ModelMs { get; init; }
    [DataMember(Name = "notes")] public string? Notes { get; init; }
    /// <summary>One polygon per connected component (outer ring, then holes) in level-0 pixel coordinates.</summary>
    [DataMember(Name = "geometry")] public required GeoJsonMultiPolygon Geometry { get; init; }
}
