using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Engine;
using SegBridge.Eval;
using SegBridge.Eval.Data;
using SegBridge.Models;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge eval --mode volume`: <see cref="VolumeEval"/> over a folder of case folders, writing results.json
/// (whole-volume Dice after each round, per case and slice choice, and the mean per round) and table.md.
/// </summary>
internal static class VolumeEvalCommand
{
    public static int Run(SegBridgeEngine engine, string dataset, string modelId, string imagePattern, string labelPattern, string casePattern,
        int rounds, string choices, string interaction, int seed, bool slicePrior, string output, string command, CancellationToken ct)
    {
        if (rounds is < 1 or > 50) throw new CommandException($"--rounds is {rounds}; allowed range is [1, 50]");
        var chosen = choices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (chosen.Length == 0 || chosen.Any(c => !VolumeEval.Choices.Contains(c)))
            throw new CommandException($"--slice-choice is '{choices}'; allowed: {string.Join(", ", VolumeEval.Choices)} (comma-separated)");
        if (!VolumeEval.Interactions.Contains(interaction))
            throw new CommandException($"--volume-interaction is '{interaction}'; allowed: {string.Join(", ", VolumeEval.Interactions)}");
        if (!engine.Registry.TryGet(modelId, out var entry))
            throw new CommandException($"unknown model '{modelId}'; known: {string.Join(", ", engine.Registry.Entries.Select(e => e.Manifest.Id).Order())}");
        if (!entry.IsReady) throw new CommandException($"model '{modelId}' is unavailable: {entry.UnavailableReason}");
        if (entry.Model is not IVolumeModel volumeModel)
            throw new CommandException($"model '{modelId}' does not propagate through volumes; volume models: {string.Join(", ", engine.Registry.Entries.Where(e => e.Model is IVolumeModel).Select(e => e.Manifest.Id))}");
        IReadOnlyList<VolumeDataset.Case> cases;
        try { cases = VolumeDataset.List(Path.GetFullPath(dataset), imagePattern, labelPattern, m => Console.Error.WriteLine("segbridge: skipped " + m)); }
        catch (DirectoryNotFoundException e) { throw new CommandException(e.Message); }
        var patterns = casePattern.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        cases = cases.Where(c => patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, c.Name, ignoreCase: false))).ToList();
        if (cases.Count == 0) throw new CommandException($"no case folder under {dataset} matches --cases '{casePattern}' with one '{imagePattern}' and one '{labelPattern}' file");

        var eval = new VolumeEval(entry.Model!, volumeModel);
        var runs = eval.Run(cases, new VolumeEval.Options(rounds, chosen, interaction, seed, slicePrior),
            new Progress<VolumeEval.Progress>(p => Console.Error.WriteLine($"segbridge: {p.Case} {p.Choice} round {p.Round}/{p.Rounds}")), ct);

        Directory.CreateDirectory(output);
        var mean = chosen.ToDictionary(c => c, c => Enumerable.Range(1, rounds)
            .Select(r => runs.Where(x => x.Choice == c).Select(x => x.Rounds.FirstOrDefault(y => y.Number == r)?.Dice ?? x.Rounds[^1].Dice).Average()).ToArray());
        var json = new JsonObject
        {
            ["command"] = command,
            ["model"] = modelId, ["dataset"] = Path.GetFullPath(dataset), ["imagePattern"] = imagePattern, ["labelPattern"] = labelPattern,
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()),
            ["rounds"] = rounds, ["interaction"] = interaction, ["slicePrior"] = slicePrior, ["seed"] = seed, ["threads"] = TorchSharp.torch.get_num_threads(),
            ["meanDicePerRound"] = JsonSerializer.SerializeToNode(mean),
            ["runs"] = JsonSerializer.SerializeToNode(runs, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }),
        };
        File.WriteAllText(Path.Combine(output, "results.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        var table = new StringBuilder();
        table.AppendLine($"Whole-volume Dice after each round ({modelId}, {interaction} robot, {cases.Count} case(s): {string.Join(", ", cases.Select(c => c.Name))})");
        table.AppendLine();
        table.AppendLine("| slice choice | " + string.Join(" | ", Enumerable.Range(1, rounds).Select(r => $"round {r}")) + " |");
        table.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rounds)));
        foreach (var c in chosen)
            table.AppendLine($"| {c} | " + string.Join(" | ", mean[c].Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))) + " |");
        table.AppendLine();
        var agreement = runs.SelectMany(r => r.Rounds).ToList();
        var correlations = agreement.Where(r => r.QualityCorrelation is not null).Select(r => r.QualityCorrelation!.Value).ToList();
        var errors = agreement.Where(r => r.QualityError is not null).Select(r => r.QualityError!.Value).ToList();
        table.AppendLine("f_QA's score against the true IoU of the model's non-empty, non-interactive slices, mean over rounds: " + (errors.Count == 0
            ? "n/a (the model segmented no slice besides the interactive ones)"
            : FormattableString.Invariant($"Pearson r {(correlations.Count > 0 ? correlations.Average().ToString("0.00", CultureInfo.InvariantCulture) : "n/a")}, mean |error| {errors.Average():0.00}")));
        table.AppendLine($"Seconds per round (interaction + propagation), mean: {runs.SelectMany(r => r.Rounds).Average(r => r.Seconds).ToString("0.0", CultureInfo.InvariantCulture)}");
        File.WriteAllText(Path.Combine(output, "table.md"), table.ToString());
        Console.Error.Write(table.ToString());
        Console.Error.WriteLine($"segbridge: wrote {Path.Combine(output, "results.json")}, {Path.Combine(output, "table.md")}");
        return 0;
    }
}
