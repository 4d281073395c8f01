using SegBridge.Eval.Data;
using SegBridge.Models.Training;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// Training folders given as DIR[:key=value...] with keys pattern (name glob), class (class-id masks: the object
/// id), alternate (even|odd); read through the evaluation harness's dataset loader so training and evaluation
/// agree on what the object is.
/// </summary>
public static class TrainingData
{
    public sealed record Spec(string Folder, string? Pattern, int? ClassId, string? Alternate)
    {
        public override string ToString() => Folder + (Pattern is null ? "" : $":pattern={Pattern}") + (ClassId is null ? "" : $":class={ClassId}") + (Alternate is null ? "" : $":alternate={Alternate}");
    }

    /// <param name="field">data or classData: the request field the spec came from, for the refusal.</param>
    public static Spec Parse(string text, string field, Func<string, string> spell)
    {
        var parts = text.Split(':');
        int firstOption = Array.FindIndex(parts, p => p.Contains('='));
        var folder = string.Join(':', firstOption < 0 ? parts : parts[..firstOption]);
        TrainingOptionException Refuse(string problem, string allowed) => new(field, $"{spell(field)} '{text}' {problem}", allowed);
        if (folder.Length == 0) throw Refuse("names no folder", "DIR[:pattern=GLOB][:class=ID][:alternate=even|odd]");
        string? pattern = null, alternate = null; int? classId = null;
        foreach (var option in firstOption < 0 ? [] : parts[firstOption..])
        {
            var kv = option.Split('=', 2);
            switch (kv[0])
            {
                case "pattern": pattern = kv[1]; break;
                case "alternate" when kv[1] is "even" or "odd": alternate = kv[1]; break;
                case "alternate": throw Refuse($"has alternate '{kv[1]}'; allowed: even, odd", "even, odd");
                case "class" when int.TryParse(kv[1], out var id) && id is >= 0 and <= 65535: classId = id; break;
                case "class": throw Refuse($"has class '{kv[1]}'; allowed: an integer in [0, 65535]", "[0, 65535]");
                default: throw Refuse($"has unknown key '{kv[0]}'; allowed: pattern, class, alternate", "pattern, class, alternate");
            }
        }
        return new Spec(Path.GetFullPath(folder), pattern, classId, alternate);
    }

    /// <summary>Every folder of <paramref name="field"/>, parsed and loaded, with a note per folder.</summary>
    public static (List<Spec> Specs, List<TrainingSample> Samples) LoadAll(TrainingRequest request, IReadOnlyList<string> texts, string field,
        IProgress<TrainingProgress>? progress, string what = "samples")
    {
        var specs = texts.Select(t => Parse(t, field, request.Spell)).ToList();
        var samples = specs.SelectMany(s =>
        {
            var loaded = Load(s, field, request.Spell);
            progress?.Report(TrainingProgress.ForNote($"{loaded.Count} {what} from {s}"));
            return loaded;
        }).ToList();
        return (specs, samples);
    }

    public static List<TrainingSample> Load(Spec spec, string field, Func<string, string> spell)
    {
        EvalDataset dataset;
        try
        {
            dataset = new EvalDataset(new DatasetOptions
            {
                Folder = spec.Folder, NamePattern = spec.Pattern, Alternate = spec.Alternate, IgnoreValue = null,
                Kind = spec.ClassId is null ? MaskKind.Binary : MaskKind.Class, ClassId = spec.ClassId,
            });
        }
        catch (DatasetException e) { throw new TrainingOptionException(field, $"{spell(field)} {spec}: {e.Message}", "a folder with images/ and masks/"); }
        return dataset.Samples.Select(r =>
        {
            var sample = dataset.Load(r);
            return new TrainingSample(sample.Name, sample.Image, sample.Truth.ObjectMask());
        }).ToList();
    }
}
