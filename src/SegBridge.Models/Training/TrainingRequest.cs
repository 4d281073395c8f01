namespace SegBridge.Models.Training;

/// <summary>
/// One training run, family-agnostic: what `segbridge train` parses from its flags and what the protocol's
/// train/run sends. Options are text so both front ends hand them over alike; the family's trainer parses and
/// checks them (<see cref="TrainingOptionException"/> names the one it refuses).
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>As `--family` spells it (<see cref="IModelTrainer.Family"/>).</summary>
    public required string Family { get; init; }
    /// <summary>Manifest folder: weights go to OUTPUT/weights/, manifests to OUTPUT/.</summary>
    public required string Output { get; init; }
    public required string Name { get; init; }
    /// <summary>Data specs DIR[:pattern=GLOB][:class=ID][:alternate=even|odd].</summary>
    public IReadOnlyList<string> Data { get; init; } = [];
    public IReadOnlyList<string> ClassData { get; init; } = [];
    /// <summary>Only the options the user gave, by camelCase name (maskShare, iterations, guideWeights …), as invariant-culture text.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>How the run was asked for, kept in the training record (the CLI's command line, or "train/run").</summary>
    public string Command { get; init; } = "train/run";
    /// <summary>
    /// How the front end spells a field or option in messages: the CLI gives "--mask-share", the protocol "maskShare"
    /// (its error data name the field), so one message text serves both.
    /// </summary>
    public Func<string, string> Spell { get; init; } = name => name;
}

/// <summary>An option a family's trainer takes: camelCase name (the CLI shows --kebab-case), its default and what is allowed.</summary>
public sealed record TrainingOption(string Name, string Description, string? Default, string Allowed)
{
    /// <summary>A switch: given means "true" (the CLI shows it as a flag without a value).</summary>
    public bool IsSwitch { get; init; }
}

/// <summary>Iterations done in a stage (most families have one; Mem3D has interaction, memory and quality).</summary>
public sealed record TrainingProgress(string Stage, int Iteration, int Iterations, double? Loss)
{
    /// <summary>Further figures of the stage as text (weak-guide's class loss, Mem3D's |IoU error|), for the CLI's lines.</summary>
    public string? Detail { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>This iteration measured the held-out IoU or wrote a checkpoint: worth a line even between the usual ones.</summary>
    public bool Milestone { get; init; }
    /// <summary>Time left at the pace so far, when the trainer estimates it.</summary>
    public TimeSpan? Remaining { get; init; }
    /// <summary>A line about the run rather than an iteration ("120 samples from …"): logged and printed, not counted.</summary>
    public string? Note { get; init; }

    public static TrainingProgress ForNote(string note) => new("note", 0, 0, null) { Note = note };
}

/// <summary>What a finished run wrote.</summary>
public sealed record TrainingOutcome(string Weights, string Record, IReadOnlyList<string> Manifests, double Seconds);

/// <summary>An option (camelCase, or family/data/classData/out/name) is missing or out of range.</summary>
public sealed class TrainingOptionException(string option, string message, string allowed) : ArgumentException(message)
{
    public string Option => option;
    public string Allowed => allowed;
}

/// <summary>One learned family's training run: check the request, load its data, train, write weights, record and manifests.</summary>
public interface IModelTrainer
{
    string Family { get; }
    string Description { get; }
    IReadOnlyList<TrainingOption> Options { get; }
    /// <summary>Whether the run reads <see cref="TrainingRequest.ClassData"/> (image-level labels); others refuse it.</summary>
    bool TakesClassData => false;
    /// <summary>
    /// Checks the request first (throws <see cref="TrainingOptionException"/>), reports through <paramref name="progress"/>
    /// (never the console: in --stdio mode stdout carries protocol bytes), stops between iterations when
    /// <paramref name="ct"/> is cancelled (OperationCanceledException) and then writes nothing.
    /// </summary>
    TrainingOutcome Train(TrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken ct);
}
