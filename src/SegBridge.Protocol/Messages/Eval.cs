using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

/// <summary>
/// Run the evaluation protocol (robot clicks, robot scribbles or human scribbles) on a dataset folder
/// in the images/ + masks/ layout, for one or more models. Paths are on the engine's machine.
/// </summary>
[DataContract]
public sealed class EvalRunParams
{
    /// <summary>Folder holding images/NAME.* and masks/NAME.png.</summary>
    [DataMember(Name = "dataset")] public string? Dataset { get; init; }
    [DataMember(Name = "models")] public string[]? Models { get; init; }
    /// <summary>clicks (default), scribbles (robot) or real-scribbles (human strokes from scribbleSet).</summary>
    [DataMember(Name = "mode")] public string? Mode { get; init; }
    /// <summary>Most interactions per sample (default 20).</summary>
    [DataMember(Name = "max")] public int? Max { get; init; }
    /// <summary>IoU targets in (0, 1] (default [0.85, 0.9]); the loop stops at the highest.</summary>
    [DataMember(Name = "targets")] public double[]? Targets { get; init; }
    [DataMember(Name = "limit")] public int? Limit { get; init; }
    /// <summary>Shuffle samples with this seed before taking limit; absent keeps name order.</summary>
    [DataMember(Name = "seed")] public int? Seed { get; init; }
    /// <summary>Region [x, y, width, height] evaluated in every image.</summary>
    [DataMember(Name = "crop")] public int[]? Crop { get; init; }
    /// <summary>Human scribble folder for real-scribbles: a name inside dataset (scribbles-set-1, or just 1) or a path.</summary>
    [DataMember(Name = "scribbleSet")] public string? ScribbleSet { get; init; }
    /// <summary>auto (default: 16-bit → instances, else binary), binary, instances or class.</summary>
    [DataMember(Name = "maskKind")] public string? MaskKind { get; init; }
    /// <summary>For class masks: the object's class id (WSSS4LUAD tumour = 0). Implies maskKind class.</summary>
    [DataMember(Name = "classId")] public int? ClassId { get; init; }
    /// <summary>Mask value ignored by metrics and robots (default 128, GrabCut's band); -1 for none.</summary>
    [DataMember(Name = "ignoreValue")] public int? IgnoreValue { get; init; }
    /// <summary>Context in pixels around each instance (instance masks; default 16).</summary>
    [DataMember(Name = "instanceMargin")] public int? InstanceMargin { get; init; }
    /// <summary>Folder of initial masks named like the images (pathology protocol).</summary>
    [DataMember(Name = "initialMasks")] public string? InitialMasks { get; init; }
    /// <summary>Only images whose name (no extension) matches this glob, e.g. "testA_*".</summary>
    [DataMember(Name = "imagePattern")] public string? ImagePattern { get; init; }
    /// <summary>"even" or "odd": every other image of the name-sorted list (a fixed split for sets without one).</summary>
    [DataMember(Name = "alternate")] public string? Alternate { get; init; }
    /// <summary>Model whose prediction without interactions is the initial mask.</summary>
    [DataMember(Name = "guideModel")] public string? GuideModel { get; init; }
    /// <summary>[min, max]: keep only samples whose initial IoU lies in this range (CGAM: [0.5, 0.7]).</summary>
    [DataMember(Name = "initialIou")] public double[]? InitialIou { get; init; }
    /// <summary>Scribble robot: share of the image's pixels one scribble may cover (default 0.0005 = 0.05 %).</summary>
    [DataMember(Name = "scribbleShare")] public double? ScribbleShare { get; init; }
    /// <summary>Robot clicks carry the error distance as radius; a value here overrides it.</summary>
    [DataMember(Name = "clickRadius")] public double? ClickRadius { get; init; }
    /// <summary>Also write results.json, table.md and iou-curve.png into this folder.</summary>
    [DataMember(Name = "out")] public string? Out { get; init; }
    /// <summary>Include per-sample results (default true).</summary>
    [DataMember(Name = "includeSamples")] public bool? IncludeSamples { get; init; }
    /// <summary>volume mode: glob of the label volume in each case folder, object = label &gt; 0 (default "OTMultiClass*"; imagePattern is the image volume's, default "Flair*").</summary>
    [DataMember(Name = "labelPattern")] public string? LabelPattern { get; init; }
    /// <summary>volume mode: only case folders whose name matches one of these globs (default all).</summary>
    [DataMember(Name = "cases")] public string[]? Cases { get; init; }
    /// <summary>volume mode: rounds of interaction + propagation per case, 1..50 (default 6).</summary>
    [DataMember(Name = "rounds")] public int? Rounds { get; init; }
    /// <summary>volume mode: how the next slice is chosen, one run each: quality, expected-errors, oracle, random (default ["quality"]).</summary>
    [DataMember(Name = "sliceChoices")] public string[]? SliceChoices { get; init; }
    /// <summary>volume mode: the robot's input on the chosen slice: box (default), extreme or scribble.</summary>
    [DataMember(Name = "volumeInteraction")] public string? VolumeInteraction { get; init; }
    /// <summary>volume mode: f_In refines the chosen slice's propagated mask from the previous round (default false).</summary>
    [DataMember(Name = "slicePrior")] public bool? SlicePrior { get; init; }
    /// <summary>When given, eval/progress notifications carrying this token report each finished round (volume) or sample, before the response.</summary>
    [DataMember(Name = "progressToken")] public string? ProgressToken { get; init; }
}

[DataContract]
public sealed class EvalRunResult
{
    [DataMember(Name = "dataset")] public required string Dataset { get; init; }
    [DataMember(Name = "mode")] public required string Mode { get; init; }
    [DataMember(Name = "max")] public required int Max { get; init; }
    [DataMember(Name = "targets")] public required double[] Targets { get; init; }
    /// <summary>The metric definitions, in words.</summary>
    [DataMember(Name = "protocol")] public required string Protocol { get; init; }
    [DataMember(Name = "models")] public required EvalModelSummary[] Models { get; init; }
    /// <summary>Per sample and model; empty when includeSamples is false.</summary>
    [DataMember(Name = "samples")] public required EvalSampleResult[] Samples { get; init; }
    [DataMember(Name = "wallSeconds")] public required double WallSeconds { get; init; }
    [DataMember(Name = "skippedSamples")] public required int SkippedSamples { get; init; }
    /// <summary>Report files written (when out was given).</summary>
    [DataMember(Name = "files")] public string[]? Files { get; init; }
    /// <summary>volume mode only: whole-volume Dice after each round, per case and slice choice (models and samples are then empty).</summary>
    [DataMember(Name = "volume")] public VolumeEvalReport? Volume { get; init; }
}

[DataContract]
public sealed class VolumeEvalReport
{
    [DataMember(Name = "model")] public required string Model { get; init; }
    [DataMember(Name = "cases")] public required string[] Cases { get; init; }
    [DataMember(Name = "rounds")] public required int Rounds { get; init; }
    [DataMember(Name = "interaction")] public required string Interaction { get; init; }
    [DataMember(Name = "slicePrior")] public required bool SlicePrior { get; init; }
    /// <summary>Per slice choice: the mean over cases of the whole-volume Dice after rounds 1..rounds.</summary>
    [DataMember(Name = "meanDice")] public required VolumeChoiceDice[] MeanDice { get; init; }
    [DataMember(Name = "runs")] public required VolumeCaseRun[] Runs { get; init; }
}

[DataContract]
public sealed class VolumeChoiceDice
{
    [DataMember(Name = "choice")] public required string Choice { get; init; }
    [DataMember(Name = "dice")] public required double[] Dice { get; init; }
}

[DataContract]
public sealed class VolumeCaseRun
{
    [DataMember(Name = "case")] public required string Case { get; init; }
    [DataMember(Name = "choice")] public required string Choice { get; init; }
    [DataMember(Name = "rounds")] public required VolumeRoundResult[] Rounds { get; init; }
}

[DataContract]
public sealed class VolumeRoundResult
{
    [DataMember(Name = "number")] public required int Number { get; init; }
    /// <summary>The slice the robot interacted on this round.</summary>
    [DataMember(Name = "slice")] public required int Slice { get; init; }
    [DataMember(Name = "dice")] public required double Dice { get; init; }
    [DataMember(Name = "sliceDice")] public required double SliceDice { get; init; }
    [DataMember(Name = "seconds")] public required double Seconds { get; init; }
    /// <summary>f_QA's score of the chosen slice before this round (null in round 1).</summary>
    [DataMember(Name = "chosenQuality")] public double? ChosenQuality { get; init; }
    /// <summary>Pearson r between f_QA's scores and the true IoU after this round (null when it cannot be computed).</summary>
    [DataMember(Name = "qualityCorrelation")] public double? QualityCorrelation { get; init; }
    [DataMember(Name = "qualityError")] public double? QualityError { get; init; }
}

/// <summary>eval/progress: a running eval/run that carried a progressToken finished a round (volume mode) or a sample.</summary>
[DataContract]
public sealed class EvalProgressParams
{
    [DataMember(Name = "progressToken")] public required string ProgressToken { get; init; }
    /// <summary>The case (volume mode) or sample name.</summary>
    [DataMember(Name = "name")] public required string Name { get; init; }
    /// <summary>Volume mode: the slice choice; otherwise the model.</summary>
    [DataMember(Name = "run")] public required string Run { get; init; }
    [DataMember(Name = "done")] public required int Done { get; init; }
    [DataMember(Name = "total")] public required int Total { get; init; }
}

[DataContract]
public sealed class EvalModelSummary
{
    [DataMember(Name = "model")] public required string Model { get; init; }
    [DataMember(Name = "samples")] public required int Samples { get; init; }
    /// <summary>Mean NoC (NoI for scribbles) per target, aligned with targets.</summary>
    [DataMember(Name = "noc")] public required double[] Noc { get; init; }
    /// <summary>Samples that never reached each target.</summary>
    [DataMember(Name = "nof")] public required int[] Nof { get; init; }
    /// <summary>Wall seconds per interaction (model + mask encoding).</summary>
    [DataMember(Name = "spc")] public required double Spc { get; init; }
    [DataMember(Name = "totalSeconds")] public required double TotalSeconds { get; init; }
    [DataMember(Name = "interactions")] public required int Interactions { get; init; }
    /// <summary>Mean IoU after 1..max interactions (last IoU carried forward after a sample stops).</summary>
    [DataMember(Name = "meanIou")] public required double[] MeanIou { get; init; }
    [DataMember(Name = "meanDice")] public required double[] MeanDice { get; init; }
    [DataMember(Name = "meanInitialIou")] public required double MeanInitialIou { get; init; }
}

[DataContract]
public sealed class EvalSampleResult
{
    [DataMember(Name = "model")] public required string Model { get; init; }
    [DataMember(Name = "name")] public required string Name { get; init; }
    [DataMember(Name = "width")] public required int Width { get; init; }
    [DataMember(Name = "height")] public required int Height { get; init; }
    [DataMember(Name = "initialIou")] public required double InitialIou { get; init; }
    [DataMember(Name = "ious")] public required double[] Ious { get; init; }
    [DataMember(Name = "dices")] public required double[] Dices { get; init; }
    [DataMember(Name = "seconds")] public required double[] Seconds { get; init; }
    [DataMember(Name = "noc")] public required int[] Noc { get; init; }
    [DataMember(Name = "failed")] public required bool[] Failed { get; init; }
    /// <summary>target, max, strokes-exhausted or no-error-left.</summary>
    [DataMember(Name = "stop")] public required string Stop { get; init; }
}
