using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>
/// Train a learned model's weights on the engine's machine and write its manifests (what `segbridge train` does).
/// Paths are on the engine's machine and must lie inside the folders it may read (and, for out, write).
/// Training takes minutes to hours: send a progressToken to get train/progress notifications, and
/// $/cancelRequest to stop it (nothing is written then).
/// </summary>
[DataContract]
public sealed class TrainRunParams
{
    /// <summary>brs-click, guide, weak-guide, deepscribble or mem3d (as `segbridge train --family` spells them).</summary>
    [DataMember(Name = "family")] public string? Family { get; init; }
    /// <summary>Training folders DIR[:pattern=GLOB][:class=ID][:alternate=even|odd] (images/ + masks/, or volume case folders for mem3d).</summary>
    [DataMember(Name = "data")] public string[]? Data { get; init; }
    /// <summary>weak-guide: folders of images whose name prefix is the image-level class label.</summary>
    [DataMember(Name = "classData")] public string[]? ClassData { get; init; }
    /// <summary>Manifest folder: weights go to out/weights/NAME.safetensors, manifests to out/NAME*.json.</summary>
    [DataMember(Name = "out")] public string? Out { get; init; }
    /// <summary>Model name: lower-case letters, digits and '-' (file and id prefix).</summary>
    [DataMember(Name = "name")] public string? Name { get; init; }
    /// <summary>
    /// The family's options by their camelCase names (iterations, batch, crop, lr, seed, threads, maskShare, guideWeights …;
    /// `segbridge train --help` lists them as --kebab-case); values are strings, numbers or booleans. Omitted ones take their defaults.
    /// </summary>
    [DataMember(Name = "options")] public Dictionary<string, object?>? Options { get; init; }
    /// <summary>When given, train/progress notifications carrying this token report the iterations done, before the response.</summary>
    [DataMember(Name = "progressToken")] public string? ProgressToken { get; init; }
}

[DataContract]
public sealed class TrainRunResult
{
    [DataMember(Name = "family")] public required string Family { get; init; }
    [DataMember(Name = "name")] public required string Name { get; init; }
    /// <summary>The weights file written (float16 safetensors).</summary>
    [DataMember(Name = "weights")] public required string Weights { get; init; }
    /// <summary>The training record (command, data, seed, options, sha256 of the weights).</summary>
    [DataMember(Name = "record")] public required string Record { get; init; }
    /// <summary>Manifests written; their models are listed after a restart of an engine that reads this folder (--models).</summary>
    [DataMember(Name = "manifests")] public required string[] Manifests { get; init; }
    [DataMember(Name = "seconds")] public required double Seconds { get; init; }
}

/// <summary>train/progress: a running train/run that carried a progressToken finished another share of a stage.</summary>
[DataContract]
public sealed class TrainProgressParams
{
    [DataMember(Name = "progressToken")] public required string ProgressToken { get; init; }
    /// <summary>The training stage (one for most families; mem3d has interaction, memory and quality).</summary>
    [DataMember(Name = "stage")] public required string Stage { get; init; }
    [DataMember(Name = "iteration")] public required int Iteration { get; init; }
    [DataMember(Name = "iterations")] public required int Iterations { get; init; }
    /// <summary>Running mean of the training loss, when the stage has one.</summary>
    [DataMember(Name = "loss")] public double? Loss { get; init; }
}
