using System.CommandLine;
using System.Text;
using SegBridge.Models.Torch;
using SegBridge.Models.Training;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge train --family F`: parses the flags into a <see cref="TrainingRequest"/> and hands it to the family's
/// trainer (<see cref="TorchFamilies.Trainers"/>, the same ones train/run calls), printing its progress on stderr.
/// The family-specific flags are made from what the trainers declare, so a family's options are spelled once.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var catalog = new TrainerCatalog(TorchFamilies.Trainers);
        var family = new Option<string>("--family")
        {
            Description = "What to train: " + string.Join("; ", catalog.All.Select(t => $"{t.Family} ({t.Description})")), Required = true,
        };
        var data = new Option<string[]>("--data") { Description = "Training folder DIR[:pattern=GLOB][:class=ID][:alternate=even|odd] with images/ and masks/ (mem3d: one folder of case folders; repeatable)" };
        var classData = new Option<string[]>("--class-data") { Description = "weak-guide: folder (same syntax as --data) of images named CLASS_rest whose prefix is the image-level label (EBHI: adeno, hgin, lgin, normal, polyp, serrated); its masks are used only for the --mask-share part (repeatable)" };
        var output = new Option<string>("--out") { Description = "Manifest folder: weights go to OUT/weights/NAME.safetensors, manifests to OUT/NAME*.json", Required = true };
        var name = new Option<string>("--name") { Description = "Model name (file and id prefix)", DefaultValueFactory = _ => "click" };
        var familyOptions = catalog.Options.Select(o => (o, Flag(o))).ToList();
        var command = new Command("train", "Train a model's weights and write its manifests") { family, data, classData, output, name };
        foreach (var (_, flag) in familyOptions) command.Options.Add(flag);

        command.SetAction((parse, ct) =>
        {
            var options = new Dictionary<string, string>();
            foreach (var (option, flag) in familyOptions)
            {
                if (parse.GetResult(flag) is not { Implicit: false }) continue;
                options[option.Name] = flag is Option<bool> @switch ? (parse.GetValue(@switch) ? "true" : "false") : parse.GetValue((Option<string>)flag)!;
            }
            var request = new TrainingRequest
            {
                Family = parse.GetValue(family)!, Output = parse.GetValue(output)!, Name = parse.GetValue(name)!,
                Data = parse.GetValue(data) ?? [], ClassData = parse.GetValue(classData) ?? [], Options = options,
                Command = "segbridge " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)), Spell = n => "--" + Kebab(n),
            };
            try
            {
                catalog.For(request).Train(request, new ConsoleProgress(), ct);
                return Task.FromResult(0);
            }
            catch (TrainingOptionException e) { throw new CommandException(e.Message); }
            catch (InvalidOperationException e) { throw new CommandException(e.Message); }
        });
        return command;
    }

    /// <summary>A switch becomes a flag; every other option a text flag the trainer parses and checks.</summary>
    private static Option Flag(TrainingOption option)
    {
        var description = option.Description + (option.Default is null || option.IsSwitch ? "" : $" (default {option.Default})");
        return option.IsSwitch
            ? new Option<bool>("--" + Kebab(option.Name)) { Description = description }
            : new Option<string>("--" + Kebab(option.Name)) { Description = description, HelpName = option.Allowed };
    }

    /// <summary>maskShare → mask-share.</summary>
    internal static string Kebab(string camel)
    {
        var text = new StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c)) text.Append('-').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>Notes, and iteration lines as the CLI has always printed them.</summary>
    private sealed class ConsoleProgress : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Note is { } note) { Console.Error.WriteLine($"segbridge: {note}"); return; }
            // Every 20th iteration, the last, and any that carries news (a held-out IoU, a checkpoint).
            if (p.Iteration % 20 != 0 && p.Iteration != p.Iterations && !p.Milestone) return;
            var what = p.Stage == "training" ? "iteration" : p.Stage;
            Console.Error.WriteLine(FormattableString.Invariant(
                $"segbridge: {what} {p.Iteration}/{p.Iterations}{(p.Loss is { } loss ? $" loss {loss:F4}" : "")}{(p.Detail is null ? "" : " " + p.Detail)} ({p.Elapsed.TotalMinutes:F1} min{(p.Remaining is { } left ? $", ETA {left.TotalMinutes:F1} min" : "")})"));
        }
    }

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or '\'' or '"') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;
}
