using System.Runtime.Serialization;

namespace SegBridge.Engine.Journal;

/// <summary>
/// One line of a session journal. The first record of a file is "create" (model and image source);
/// then "interact", "undo", "redo" and "reset" in the order they were acknowledged.
/// </summary>
[DataContract]
public sealed class JournalRecord
{
    [DataMember(Name = "op")] public required string Op { get; init; }
    [DataMember(Name = "sessionId")] public string? SessionId { get; init; }
    [DataMember(Name = "modelId")] public string? ModelId { get; init; }
    /// <summary>For create: the image file the client opened (absolute path).</summary>
    [DataMember(Name = "imagePath")] public string? ImagePath { get; init; }
    /// <summary>For create: the content-addressed copy of an image the client sent as bytes (file name under images/: .png, or .nii/.nii.gz for a volume).</summary>
    [DataMember(Name = "imageBlob")] public string? ImageBlob { get; init; }
    [DataMember(Name = "imageName")] public string? ImageName { get; init; }
    /// <summary>For create: the session's region in image (level-0) pixels and its resolved downsample.</summary>
    [DataMember(Name = "region")] public long[]? Region { get; init; }
    [DataMember(Name = "downsample")] public double Downsample { get; init; } = 1;
    /// <summary>For create on a volume: the axial slice the session works on.</summary>
    [DataMember(Name = "slice")] public int? Slice { get; init; }
    /// <summary>Guide model of sessions/create's initialMask; replay recomputes its (deterministic) prediction.</summary>
    [DataMember(Name = "initialMask")] public string? InitialMask { get; init; }
    /// <summary>For create on a propagated volume slice: the propagated mask the session starts from (COCO RLE, session size).</summary>
    [DataMember(Name = "propagatedMask")] public int[]? PropagatedMask { get; init; }
    [DataMember(Name = "interaction")] public JournalInteraction? Interaction { get; init; }
    [DataMember(Name = "utc")] public string? Utc { get; init; }
}

[DataContract]
public sealed class JournalInteraction
{
    /// <summary>click, scribble, labels, box or extremePoints.</summary>
    [DataMember(Name = "type")] public required string Type { get; init; }
    [DataMember(Name = "x")] public double X { get; init; }
    [DataMember(Name = "y")] public double Y { get; init; }
    [DataMember(Name = "x1")] public double X1 { get; init; }
    [DataMember(Name = "y1")] public double Y1 { get; init; }
    [DataMember(Name = "positive")] public bool Positive { get; init; }
    /// <summary>Click radius or scribble width.</summary>
    [DataMember(Name = "size")] public double Size { get; init; }
    [DataMember(Name = "points")] public double[]? Points { get; init; }
    [DataMember(Name = "labels")] public byte[]? Labels { get; init; }
    [DataMember(Name = "width")] public int Width { get; init; }
    [DataMember(Name = "height")] public int Height { get; init; }
}
