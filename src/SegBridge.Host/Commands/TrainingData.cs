using SegBridge.Eval.Data;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Host.Commands;

/// <summary>
/// Training folders given as DIR[:key=value...] with keys pattern (name glob), class (class-id masks: the object
/// id), alternate (even|odd); read through the evaluation harness's dataset loader so training and evaluation
/// agree on what the object is.
/// </summary>
internal static class TrainingData
{
    public sealed record Spec(string Folder, string? Pattern, int? ClassId, string? Alternate)
    {
        public override string ToString() => Folder + (Pattern is null ? "" : $":pattern={Pattern}") + (ClassId is null ? "" : $":class={ClassId}") + (Alternate is null ? "" : $":alternate={Alternate}");
    }

    public static Spec Parse(string text)
    {
        var parts = text.Split(':');
        int firstOption = Array.FindIndex(parts, p => p.Contains('='));
        var folder = string.Join(':', firstOption < 0 ? parts : parts[..firstOption]);
        if (folder.Length == 0) throw new CommandException($"--data '{text}' names no folder");
        string? pattern = null, alternate = null; int? classId = null;
        foreach (var option in firstOption < 0 ? [] : parts[firstOption..])
        {
            var kv = option.Split('=', 2);
            switch (kv[0])
            {
                case "pattern": pattern = kv[1]; break;
                case "alternate" when kv[1] is "even" or "odd": alternate = kv[1]; break;
                case "alternate": throw new CommandException($"--data '{text}': alternate is '{kv[1]}'; allowed: even, odd");
                case "class" when int.TryParse(kv[1], out var id) && id is >= 0 and <= 65535: classId = id; break;
                case "class": throw new CommandException($"--data '{text}': class is '{kv[1]}'; allowed: an integer in [0, 65535]");
                default: throw new CommandException($"--data '{text}': unknown key '{kv[0]}'; allowed: pattern, class, alternate");
            }
        }
        return new Spec(Path.GetFullPath(folder), pattern, classId, alternate);
    }

    /// <summary>Every --data folder, parsed and loaded, with a line per folder on stderr.</summary>
    public static (List<Spec> Specs, List<TrainingSample> Samples) LoadAll(IEnumerable<string> texts)
    {
        var specs = texts.Select(Parse).ToList();
        var samples = specs.SelectMany(s =>
        {
            var loaded = Load(s);
            Console.Error.WriteLine($"segbridge: {loaded.Count} samples from {s}");
            return loaded;
        }).ToList();
        return (specs, samples);
    }

    public static List<TrainingSample> Load(Spec spec)
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
        catch (DatasetException e) { throw new CommandException($"--data {spec}: {e.Message}"); }
        return dataset.Samples.Select(r =>
        {
            var sample = dataset.Load(r);
            return new TrainingSample(sample.Name, sample.Image, sample.Truth.ObjectMask());
        }).ToList();
    }
}
