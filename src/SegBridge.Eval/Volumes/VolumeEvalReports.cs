using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegBridge.Eval.Volumes;

/// <summary>
/// A volume evaluation's files: results.json (the options, the whole-volume Dice after each round per case and
/// slice choice, and the mean per round) and table.md (the means, f_QA's agreement with the true IoU, seconds per round).
/// </summary>
public static class VolumeEvalReports
{
    public const string ResultsFile = "results.json", TableFile = "table.md";

    /// <summary>
    /// Per slice choice, the mean Dice after each round over the cases; a case whose run ended early (every slice
    /// segmented) counts with its last Dice.
    /// </summary>
    public static Dictionary<string, double[]> MeanDicePerRound(IReadOnlyList<VolumeEval.CaseRun> runs, IReadOnlyList<string> choices, int rounds)
        => choices.ToDictionary(c => c, c => Enumerable.Range(1, rounds)
            .Select(r => runs.Where(x => x.Choice == c).Select(x => x.Rounds.FirstOrDefault(y => y.Number == r)?.Dice ?? x.Rounds[^1].Dice).Average()).ToArray());

    /// <returns>The paths of results.json and table.md (null when the options name no output folder), and the table's text.</returns>
    public static (string? ResultsPath, string? TablePath, string Table) Write(VolumeEvalPlan plan, IReadOnlyList<VolumeEval.CaseRun> runs, Dictionary<string, double[]> mean)
    {
        var o = plan.Options;
        var table = Table(plan, runs, mean);
        if (o.Output is null) return (null, null, table);
        Directory.CreateDirectory(o.Output);
        var json = new JsonObject
        {
            ["command"] = o.Command,
            ["model"] = o.ModelId, ["dataset"] = plan.Dataset, ["imagePattern"] = o.ImagePattern, ["labelPattern"] = o.LabelPattern,
            ["cases"] = new JsonArray(plan.Cases.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()),
            ["rounds"] = o.Rounds, ["interaction"] = o.Interaction, ["slicePrior"] = o.SlicePrior, ["seed"] = o.Seed, ["threads"] = o.Threads,
            ["meanDicePerRound"] = JsonSerializer.SerializeToNode(mean),
            ["runs"] = JsonSerializer.SerializeToNode(runs, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }),
        };
        var resultsPath = Path.Combine(o.Output, ResultsFile);
        File.WriteAllText(resultsPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        var tablePath = Path.Combine(o.Output, TableFile);
        File.WriteAllText(tablePath, table);
        return (resultsPath, tablePath, table);
    }

    private static string Table(VolumeEvalPlan plan, IReadOnlyList<VolumeEval.CaseRun> runs, Dictionary<string, double[]> mean)
    {
        var o = plan.Options;
        var table = new StringBuilder();
        table.AppendLine($"Whole-volume Dice after each round ({o.ModelId}, {o.Interaction} robot, {plan.Cases.Count} case(s): {string.Join(", ", plan.Cases.Select(c => c.Name))})");
        table.AppendLine();
        table.AppendLine("| slice choice | " + string.Join(" | ", Enumerable.Range(1, o.Rounds).Select(r => $"round {r}")) + " |");
        table.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", o.Rounds)));
        foreach (var c in o.SliceChoices)
            table.AppendLine($"| {c} | " + string.Join(" | ", mean[c].Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))) + " |");
        table.AppendLine();
        var agreement = runs.SelectMany(r => r.Rounds).ToList();
        var correlations = agreement.Where(r => r.QualityCorrelation is not null).Select(r => r.QualityCorrelation!.Value).ToList();
        var errors = agreement.Where(r => r.QualityError is not null).Select(r => r.QualityError!.Value).ToList();
        table.AppendLine("f_QA's score against the true IoU of the model's non-empty, non-interactive slices, mean over rounds: " + (errors.Count == 0
            ? "n/a (the model segmented no slice besides the interactive ones)"
            : FormattableString.Invariant($"Pearson r {(correlations.Count > 0 ? correlations.Average().ToString("0.00", CultureInfo.InvariantCulture) : "n/a")}, mean |error| {errors.Average():0.00}")));
        table.AppendLine($"Seconds per round (interaction + propagation), mean: {agreement.Average(r => r.Seconds).ToString("0.0", CultureInfo.InvariantCulture)}");
        return table.ToString();
    }
}
