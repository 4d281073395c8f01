using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>Exactly one of path, encoded or raw must be given.</summary>
[DataContract]
public sealed class OpenImageParams
{
    /// <summary>A PNG, JPEG, TIFF, whole-slide or NIfTI (.nii, .nii.gz) file on the engine's machine.</summary>
    [DataMember(Name = "path")] public string? Path { get; init; }
    /// <summary>The bytes of a PNG, JPEG, TIFF or NIfTI (.nii or .nii.gz) file (base64 in JSON, bin in MessagePack).</summary>
    [DataMember(Name = "encoded")] public byte[]? Encoded { get; init; }
    [DataMember(Name = "raw")] public RawArray? Raw { get; init; }
    /// <summary>Optional display name for logs and session lists.</summary>
    [DataMember(Name = "name")] public string? Name { get; init; }
}

/// <summary>An uncompressed array, row-major, channels interleaved, little-endian.</summary>
[DataContract]
public sealed class RawArray
{
    [DataMember(Name = "width")] public int Width { get; init; }
    [DataMember(Name = "height")] public int Height { get; init; }
    /// <summary>1 (grey), 3 (RGB) or 4 (RGBA; alpha is dropped).</summary>
    [DataMember(Name = "channels")] public int Channels { get; init; }
    /// <summary>uint8, uint16 or float32. uint16/float32 are rescaled to 8 bits by the image's min and max.</summary>
    [DataMember(Name = "dtype")] public string? Dtype { get; init; }
    [DataMember(Name = "data")] public byte[]? Data { get; init; }
}

[DataContract]
public sealed class ImageInfo
{
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "width")] public required long Width { get; init; }
    [DataMember(Name = "height")] public required long Height { get; init; }
    [DataMember(Name = "channels")] public required int Channels { get; init; }
    [DataMember(Name = "name")] public string? Name { get; init; }
    /// <summary>Set when the image is a whole-slide image read through OpenSlide; width and height are then level 0.</summary>
    [DataMember(Name = "slide")] public SlideInfo? Slide { get; init; }
    /// <summary>Set when the image is a volume (NIfTI): the number of axial slices; width and height are a slice's. Sessions on it take a slice.</summary>
    [DataMember(Name = "depth")] public int? Depth { get; init; }
    /// <summary>For a volume: voxel size along x, y, z (NIfTI pixdim[1..3], usually mm).</summary>
    [DataMember(Name = "spacing")] public double[]? Spacing { get; init; }
}

[DataContract]
public sealed class SlideInfo
{
    /// <summary>OpenSlide's vendor: aperio, hamamatsu, generic-tiff, …</summary>
    [DataMember(Name = "vendor")] public required string Vendor { get; init; }
    [DataMember(Name = "levels")] public required SlideLevelDto[] Levels { get; init; }
    /// <summary>Microns per level-0 pixel (openslide.mpp-x/y, else the TIFF resolution tags); null when the slide does not say.</summary>
    [DataMember(Name = "mppX")] public double? MppX { get; init; }
    [DataMember(Name = "mppY")] public double? MppY { get; init; }
    [DataMember(Name = "objectivePower")] public double? ObjectivePower { get; init; }
}

[DataContract]
public sealed class SlideLevelDto
{
    [DataMember(Name = "width")] public long Width { get; init; }
    [DataMember(Name = "height")] public long Height { get; init; }
    [DataMember(Name = "downsample")] public double Downsample { get; init; }
}

[DataContract]
public sealed class ImageIdParams
{
    [DataMember(Name = "imageId")] public string? ImageId { get; init; }
}

/// <summary>The pixels the engine segments (after its 8-bit conversion), as a PNG file.</summary>
[DataContract]
public sealed class ImagePngResult
{
    [DataMember(Name = "imageId")] public required string ImageId { get; init; }
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    /// <summary>PNG bytes (base64 in JSON, bin in MessagePack).</summary>
    [DataMember(Name = "png")] public required byte[] Png { get; init; }
}
