using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegBridge.Eval.Reports;

/// <summary>Writes results.json, table.md and iou-curve.png into a folder.</summary>
public static class EvalReports
{
    public const string JsonFile = "results.json", MarkdownFile = "table.md", PlotFile = "iou-curve.png";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the three files; returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(EvalResults results, string folder, string? command = null)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, JsonFile);
        File.WriteAllText(json, ToJson(results, command));
        var md = Path.Combine(folder, MarkdownFile);
        File.WriteAllText(md, Markdown(results, command));
        var png = Path.Combine(folder, PlotFile);
        File.WriteAllBytes(png, IouPlot.Render(results));
        return [json, md, png];
    }

    public static string ToJson(EvalResults results, string? command = null)
        => JsonSerializer.Serialize(new { command, results }, Json) + "\n";

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// The papers' column order: NoC@85, NoC@90, NoF@85, NoF@90, then DeepScribble's share of samples reaching each
    /// target within the budget, SPC, Time (NoI and SPI for scribbles).
    /// </summary>
    public static string Markdown(EvalResults r, string? command = null)
    {
        string count = r.Mode == "clicks" ? "NoC" : "NoI", perInteraction = r.Mode == "clicks" ? "SPC" : "SPI";
        var pct = r.Targets.Select(t => F(t * 100, "0.#")).ToArray();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Dataset `{r.Dataset}`, mode {r.Mode}, at most {r.MaxInteractions} interactions, {r.Models.FirstOrDefault()?.Summary.Samples ?? 0} samples.\n\n");
        sb.Append("| Model | ").Append(string.Join(" | ", pct.Select(p => $"{count}@{p}"))).Append(" | ")
          .Append(string.Join(" | ", pct.Select(p => $"NoF@{p}"))).Append(" | ")
          .Append(string.Join(" | ", pct.Select(p => $"Reached@{p} (%)"))).Append($" | {perInteraction} (s) | Time (s) | mIoU@1 | mIoU@").Append(r.MaxInteractions).Append(" |\n");
        sb.Append("| --- |").Append(string.Concat(Enumerable.Repeat(" ---: |", pct.Length * 3 + 4))).Append('\n');
        foreach (var m in r.Models)
        {
            var s = m.Summary;
            sb.Append("| ").Append(s.Model).Append(" | ")
              .Append(string.Join(" | ", s.MeanNoc.Select(v => F(v, "0.00")))).Append(" | ")
              .Append(string.Join(" | ", s.NoF.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append(" | ")
              .Append(string.Join(" | ", s.NoF.Select(v => s.Samples == 0 ? "-" : F(100.0 * (s.Samples - v) / s.Samples, "0")))).Append(" | ")
              .Append(F(s.SecondsPerInteraction, "0.000")).Append(" | ").Append(F(s.TotalSeconds, "0.0")).Append(" | ")
              .Append(s.MeanIouCurve.Length > 0 ? F(s.MeanIouCurve[0], "0.000") : "-").Append(" | ")
              .Append(s.MeanIouCurve.Length > 0 ? F(s.MeanIouCurve[^1], "0.000") : "-").Append(" |\n");
        }
        sb.Append('\n').Append(CultureInfo.InvariantCulture, $"{count}@t: mean number of {(r.Mode == "clicks" ? "clicks" : "interactions")} to reach IoU ≥ t ({r.MaxInteractions} when never reached); NoF@t: samples that never reach t; Reached@t: share of samples reaching t within {r.MaxInteractions}; {perInteraction}: wall seconds per interaction (model + mask encoding); Time: their sum; mIoU@k: mean IoU after k interactions (last IoU carried forward once a sample stops).\n");
        if (r.SkippedSamples > 0) sb.Append(CultureInfo.InvariantCulture, $"\n{r.SkippedSamples} samples skipped (empty object, or initial IoU outside the requested range).\n");
        if (command is not null) sb.Append("\nCommand: `").Append(command).Append("`\n");
        return sb.ToString();
    }
}
