using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

[DataContract]
public sealed class ModelInfo
{
    [DataMember(Name = "id")] public required string Id { get; init; }
    [DataMember(Name = "name")] public required string Name { get; init; }
    /// <summary>e.g. classical/random-walker, brs/cgam, deepscribble, mem3d, guide/weak-label.</summary>
    [DataMember(Name = "family")] public required string Family { get; init; }
    /// <summary>"refinement" (sessions with interactions) or "guide" (predicts without interactions: slides/infer).</summary>
    [DataMember(Name = "role")] public string Role { get; init; } = "refinement";
    /// <summary>"2d" or "3d".</summary>
    [DataMember(Name = "dimensions")] public required string Dimensions { get; init; }
    [DataMember(Name = "interactions")] public required string[] Interactions { get; init; }
    /// <summary>"ready" or "unavailable".</summary>
    [DataMember(Name = "status")] public required string Status { get; init; }
    /// <summary>Why the model is unavailable (missing weights, bad manifest field, …).</summary>
    [DataMember(Name = "reason")] public string? Reason { get; init; }
    [DataMember(Name = "licence")] public string? Licence { get; init; }
    [DataMember(Name = "paper")] public string? Paper { get; init; }
    [DataMember(Name = "description")] public string? Description { get; init; }
    /// <summary>What the model's masks mark, e.g. "glandular epithelium / tumour region in H&amp;E".</summary>
    [DataMember(Name = "segments")] public string? Segments { get; init; }
    /// <summary>The resolution the model expects, µm per pixel; sessions on slides that state theirs default to it.</summary>
    [DataMember(Name = "pixelSizeUm")] public double? PixelSizeUm { get; init; }
    /// <summary>
    /// Where a session starts when sessions/create gives no initialMask: "none" (empty mask), "model" (the model's
    /// own prediction without interactions) or a guide model's id.
    /// </summary>
    [DataMember(Name = "initialMask")] public string InitialMask { get; init; } = "none";
    /// <summary>Manifest file the model came from.</summary>
    [DataMember(Name = "manifest")] public string? Manifest { get; init; }
    /// <summary>Device the model runs on ("cpu" or "cuda").</summary>
    [DataMember(Name = "device")] public string? Device { get; init; }
}

[DataContract]
public sealed class ModelListResult
{
    [DataMember(Name = "models")] public required ModelInfo[] Models { get; init; }
    /// <summary>Manifests that could not be loaded, each with file and field.</summary>
    [DataMember(Name = "manifestErrors")] public required ManifestError[] ManifestErrors { get; init; }
}

[DataContract]
public sealed class ManifestError
{
    [DataMember(Name = "file")] public required string File { get; init; }
    [DataMember(Name = "field")] public string? Field { get; init; }
    [DataMember(Name = "message")] public required string Message { get; init; }
}

[DataContract]
public sealed class ModelIdParams
{
    [DataMember(Name = "modelId")] public string? ModelId { get; init; }
}

[DataContract]
public sealed class ModelDescription
{
    [DataMember(Name = "model")] public required ModelInfo Model { get; init; }
    /// <summary>The family's hyper-parameters as given in the manifest (JSON text of the parameters object).</summary>
    [DataMember(Name = "parametersJson")] public required string ParametersJson { get; init; }
}
