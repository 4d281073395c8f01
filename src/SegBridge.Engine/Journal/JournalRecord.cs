using System.Text.Json.Serialization;

namespace SegBridge.Engine.Journal;

/// <summary>
/// One line of a session journal. The first record of a file is "create" (model and image source);
/// then "interact", "undo", "redo" and "reset" in the order they were acknowledged.
/// </summary>
public sealed class JournalRecord
{
    [JsonPropertyName("op")] public required string Op { get; init; }
    [JsonPropertyName("sessionId")] public string? SessionId { get; init; }
    [JsonPropertyName("modelId")] public string? ModelId { get; init; }
    /// <summary>For create: the image file the client opened (absolute path).</summary>
    [JsonPropertyName("imagePath")] public string? ImagePath { get; init; }
    /// <summary>For create: the content-addressed copy of an image the client sent as bytes (file name under images/: .png, or .nii/.nii.gz for a volume).</summary>
    [JsonPropertyName("imageBlob")] public string? ImageBlob { get; init; }
    [JsonPropertyName("imageName")] public string? ImageName { get; init; }
    /// <summary>For create: the session's region in image (level-0) pixels and its resolved downsample.</summary>
    [JsonPropertyName("region")] public long[]? Region { get; init; }
    [JsonPropertyName("downsample")] public double Downsample { get; init; } = 1;
    /// <summary>For create on a volume: the axial slice the session works on.</summary>
    [JsonPropertyName("slice")] public int? Slice { get; init; }
    /// <summary>Guide model of sessions/create's initialMask; replay recomputes its (deterministic) prediction.</summary>
    [JsonPropertyName("initialMask")] public string? InitialMask { get; init; }
    /// <summary>For create on a propagated volume slice: the propagated mask the session starts from (COCO RLE, session size).</summary>
    [JsonPropertyName("propagatedMask")] public int[]? PropagatedMask { get; init; }
    [JsonPropertyName("interaction")] public JournalInteraction? Interaction { get; init; }
    [JsonPropertyName("utc")] public string? Utc { get; init; }
}

public sealed class JournalInteraction
{
    /// <summary>click, scribble, labels, box or extremePoints.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("x")] public double X { get; init; }
    [JsonPropertyName("y")] public double Y { get; init; }
    [JsonPropertyName("x1")] public double X1 { get; init; }
    [JsonPropertyName("y1")] public double Y1 { get; init; }
    [JsonPropertyName("positive")] public bool Positive { get; init; }
    /// <summary>Click radius or scribble width.</summary>
    [JsonPropertyName("size")] public double Size { get; init; }
    [JsonPropertyName("points")] public double[]? Points { get; init; }
    [JsonPropertyName("labels")] public byte[]? Labels { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
}
