using System.Text.Json;

namespace SegBridge.Eval.Reports;

/// <summary>
/// Joins evaluations of disjoint parts of one dataset (e.g. `--image-pattern 'testA_1*'`, `'testA_2*'`, … run at
/// the same time, or on different days) into the results one run over all of them would give: the samples of each
/// model side by side, the summary recomputed from them by the same rule as a single run. A long evaluation can then
/// be split so no part holds hours of work unwritten.
/// </summary>
public static class EvalMerge
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record Document(string? Command, EvalResults Results);

    /// <summary>Reads a results.json written by <see cref="EvalReports"/>; returns its results and the command that made it.</summary>
    public static (EvalResults Results, string? Command) Read(string path)
    {
        Document? doc;
        try { doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not an evaluation's results.json: {e.Message}"); }
        if (doc?.Results?.Models is null) throw new InvalidDataException($"{path} is not an evaluation's results.json (no results.models)");
        return (doc.Results, doc.Command);
    }

    /// <summary>
    /// The parts must agree on mode, budget, targets and models (same order) and share no sample name; the dataset
    /// and protocol are those of the first part, the wall time and skipped samples are summed.
    /// </summary>
    public static EvalResults Merge(IReadOnlyList<EvalResults> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to merge: give at least one results.json");
        var first = parts[0];
        var models = first.Models.Select(m => m.Summary.Model).ToList();
        for (int i = 1; i < parts.Count; i++)
        {
            var p = parts[i];
            if (p.Mode != first.Mode || p.MaxInteractions != first.MaxInteractions || !p.Targets.SequenceEqual(first.Targets))
                throw new ArgumentException($"part {i + 1} differs from part 1 in mode, max interactions or targets ({p.Mode}/{p.MaxInteractions}/{string.Join(',', p.Targets)} against {first.Mode}/{first.MaxInteractions}/{string.Join(',', first.Targets)})");
            var theirs = p.Models.Select(m => m.Summary.Model).ToList();
            if (!theirs.SequenceEqual(models))
                throw new ArgumentException($"part {i + 1} evaluated the models {string.Join(',', theirs)}, part 1 {string.Join(',', models)}: every part must evaluate the same models");
        }
        var options = new EvalOptions { Models = models, MaxInteractions = first.MaxInteractions, Targets = first.Targets };
        var merged = new List<ModelResult>();
        for (int m = 0; m < models.Count; m++)
        {
            var samples = parts.SelectMany(p => p.Models[m].Samples).ToList();
            var twice = samples.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null) throw new ArgumentException($"sample '{twice.Key}' of model {models[m]} is in more than one part: the parts must be disjoint");
            merged.Add(new ModelResult(EvalRunner.Summarise(models[m], samples, options), samples));
        }
        return first with
        {
            Models = merged,
            WallSeconds = parts.Sum(p => p.WallSeconds),
            SkippedSamples = parts.Sum(p => p.SkippedSamples),
        };
    }
}
