using System.Text.Json;

namespace SegBridge.Eval.Reports;

/// <summary>
/// Joins evaluations of disjoint parts of one dataset (e.g. `--image-pattern 'testA_1*'`, `'testA_2*'`, … run at
/// the same time, or on different days) or of disjoint models on the same samples (one model per process) into the
/// results one run over all of them would give: the samples of each model side by side, the summary recomputed from
/// them by the same rule as a single run. A long evaluation can then be split so no part holds hours of work
/// unwritten, and every row of the table still compares the same samples.
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
    /// The parts must agree on mode, budget and targets; a model may appear in several parts but no (model, sample)
    /// twice, and in the end every model must hold the same samples. Models keep the order in which they first
    /// appear; the dataset and protocol are those of the first part, the wall time is summed, and skipped samples
    /// are counted once per distinct set of samples (parts that split by model skipped the same ones).
    /// </summary>
    public static EvalResults Merge(IReadOnlyList<EvalResults> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to merge: give at least one results.json");
        var first = parts[0];
        for (int i = 1; i < parts.Count; i++)
        {
            var p = parts[i];
            if (p.Mode != first.Mode || p.MaxInteractions != first.MaxInteractions || !p.Targets.SequenceEqual(first.Targets))
                throw new ArgumentException($"part {i + 1} differs from part 1 in mode, max interactions or targets ({p.Mode}/{p.MaxInteractions}/{string.Join(',', p.Targets)} against {first.Mode}/{first.MaxInteractions}/{string.Join(',', first.Targets)})");
        }
        var models = parts.SelectMany(p => p.Models.Select(m => m.Summary.Model)).Distinct().ToList();
        var samplesOf = models.ToDictionary(m => m, _ => new List<SampleResult>());
        foreach (var result in parts.SelectMany(p => p.Models))
        {
            var samples = samplesOf[result.Summary.Model];
            foreach (var s in result.Samples)
            {
                if (samples.Any(t => t.Name == s.Name))
                    throw new ArgumentException($"sample '{s.Name}' of model {result.Summary.Model} is in more than one part: the parts must be disjoint");
                samples.Add(s);
            }
        }
        var reference = samplesOf[models[0]].Select(s => s.Name).ToHashSet();
        foreach (var model in models.Skip(1))
        {
            var names = samplesOf[model].Select(s => s.Name).ToHashSet();
            if (names.SetEquals(reference)) continue;
            var (missing, holder, lacking) = reference.Except(names).FirstOrDefault() is { } m ? (m, models[0], model) : (names.Except(reference).First(), model, models[0]);
            throw new ArgumentException($"model {lacking} has no result for sample '{missing}', which {holder} has: every model must cover the same samples, so that the table compares like with like");
        }
        var options = new EvalOptions { Models = models, MaxInteractions = first.MaxInteractions, Targets = first.Targets };
        var skipped = parts.GroupBy(p => string.Join('\n', p.Models.SelectMany(m => m.Samples.Select(s => s.Name)).Distinct().Order(StringComparer.Ordinal)))
            .Sum(g => g.Max(p => p.SkippedSamples));
        return first with
        {
            Models = [.. models.Select(m => new ModelResult(EvalRunner.Summarise(m, samplesOf[m], options), samplesOf[m]))],
            WallSeconds = parts.Sum(p => p.WallSeconds),
            SkippedSamples = skipped,
        };
    }
}
