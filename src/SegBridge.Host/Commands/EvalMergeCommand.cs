using System.CommandLine;
using SegBridge.Eval.Reports;

namespace SegBridge.Host.Commands;

/// <summary>`segbridge eval-merge PART… --out DIR`: one report from evaluations of disjoint parts of a dataset or of disjoint models.</summary>
internal static class EvalMergeCommand
{
    public static Command Create()
    {
        var parts = new Argument<string[]>("parts") { Description = "Folders (or results.json files) of `segbridge eval` runs with the same mode, --max and --targets, over disjoint samples or disjoint models (every model must end up with the same samples)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the merged results.json, table.md and iou-curve.png", Required = true };
        var command = new Command("eval-merge", "Merge evaluations of disjoint parts of a dataset (e.g. one --image-pattern each, run side by side) or of disjoint models on the same samples (one model per process) into the report one run would give") { parts, output };
        command.SetAction(parse =>
        {
            try
            {
                var read = parse.GetValue(parts)!
                    .Select(p => EvalMerge.Read(Directory.Exists(p) ? Path.Combine(p, EvalReports.JsonFile) : p)).ToList();
                var merged = EvalMerge.Merge(read.Select(r => r.Results).ToList());
                var commands = string.Join("`; `", read.Select(r => r.Command ?? "(unknown)"));
                var self = "segbridge " + string.Join(' ', parse.Tokens.Select(t => t.Value));
                var files = EvalReports.WriteAll(merged, parse.GetValue(output)!, $"{self}` of `{commands}");
                foreach (var m in merged.Models)
                    Console.Error.WriteLine($"segbridge: {m.Summary.Model}: NoC {string.Join(", ", m.Summary.MeanNoc.Select(v => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}, {m.Summary.Samples} samples");
                Console.Error.WriteLine($"segbridge: wrote {string.Join(", ", files)}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new CommandException($"eval-merge: {e.Message}");
            }
        });
        return command;
    }
}
