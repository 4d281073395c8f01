using System.IO.Enumeration;
using SegBridge.Eval.Data;

namespace SegBridge.Eval.Volumes;

/// <summary>
/// What a volume evaluation run is asked for, by the CLI (`segbridge eval --mode volume`) or a request; the
/// defaults are the CLI's. <see cref="Check"/> refuses a bad field by name, with what is allowed.
/// </summary>
public sealed record VolumeEvalOptions
{
    public const int MaxRounds = 50;

    /// <summary>A folder of case folders, each with one image and one label volume.</summary>
    public required string Dataset { get; init; }
    /// <summary>The volume model's id, as the reports name it (the caller resolves the model itself).</summary>
    public required string ModelId { get; init; }
    /// <summary>Folder for results.json and table.md; null writes no files (a request that only wants the numbers back).</summary>
    public required string? Output { get; init; }
    public string ImagePattern { get; init; } = "Flair*";
    public string LabelPattern { get; init; } = "OTMultiClass*";
    /// <summary>Case folder name globs, comma-separated.</summary>
    public string Cases { get; init; } = "*";
    public int Rounds { get; init; } = 6;
    public IReadOnlyList<string> SliceChoices { get; init; } = ["quality", "oracle", "random"];
    public string Interaction { get; init; } = "box";
    public int Seed { get; init; } = 1;
    public bool SlicePrior { get; init; }
    /// <summary>How the run was asked for (the command line), recorded in results.json.</summary>
    public string? Command { get; init; }
    /// <summary>The compute threads the models run with, recorded in results.json (the caller knows its runtime).</summary>
    public int? Threads { get; init; }

    /// <summary>Checks every field and lists the dataset's cases.</summary>
    /// <exception cref="VolumeEvalOptionException">The first field that is not allowed.</exception>
    public VolumeEvalPlan Check()
    {
        if (Rounds is < 1 or > MaxRounds)
            throw new VolumeEvalOptionException("rounds", $"[1, {MaxRounds}]", n => $"{n} is {Rounds}; allowed range is [1, {MaxRounds}]");
        var choices = string.Join(", ", VolumeEval.Choices);
        if (SliceChoices.Count == 0 || SliceChoices.Any(c => !VolumeEval.Choices.Contains(c)))
            throw new VolumeEvalOptionException("sliceChoices", choices, n => $"{n} is '{string.Join(',', SliceChoices)}'; allowed: {choices} (comma-separated)");
        if (!VolumeEval.Interactions.Contains(Interaction))
            throw new VolumeEvalOptionException("interaction", string.Join(", ", VolumeEval.Interactions),
                n => $"{n} is '{Interaction}'; allowed: {string.Join(", ", VolumeEval.Interactions)}");
        if (Output is not null && string.IsNullOrWhiteSpace(Output))
            throw new VolumeEvalOptionException("output", "a folder path", n => $"{n} is empty; give the folder for results.json and table.md");
        var dataset = Path.GetFullPath(Dataset);
        var skipped = new List<string>();
        IReadOnlyList<VolumeDataset.Case> cases;
        try { cases = VolumeDataset.List(dataset, ImagePattern, LabelPattern, skipped.Add); }
        catch (DirectoryNotFoundException e) { throw new VolumeEvalOptionException("dataset", "an existing folder", _ => e.Message); }
        var patterns = Cases.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        cases = cases.Where(c => patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, c.Name, ignoreCase: false))).ToList();
        if (cases.Count == 0)
            throw new VolumeEvalOptionException("cases", "globs matching a case folder",
                n => $"no case folder under {Dataset} matches {n} '{Cases}' with one '{ImagePattern}' and one '{LabelPattern}' file");
        return new VolumeEvalPlan(this, dataset, cases, skipped);
    }
}

/// <summary>Checked options with the cases they select and the case folders skipped (and why).</summary>
public sealed record VolumeEvalPlan(VolumeEvalOptions Options, string Dataset, IReadOnlyList<VolumeDataset.Case> Cases, IReadOnlyList<string> Skipped);

/// <summary>
/// A field of <see cref="VolumeEvalOptions"/> that is not allowed. <see cref="Field"/> is the field as a request
/// spells it; <see cref="MessageFor"/> words the message with the caller's name for it (a CLI flag).
/// </summary>
public sealed class VolumeEvalOptionException(string field, string allowed, Func<string, string> message) : ArgumentException(message(field))
{
    public string Field { get; } = field;
    public string Allowed { get; } = allowed;
    public string MessageFor(string name) => message(name);
}
