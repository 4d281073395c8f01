using System.CommandLine;
using System.Globalization;
using SegBridge.Engine.Api;
using SegBridge.Eval;
using SegBridge.Eval.Reports;
using SegBridge.Eval.Volumes;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge eval`: the evaluation harness on a dataset folder, through the same checks and engine
/// sessions as eval/run; writes results.json, table.md and iou-curve.png, with a progress bar on stderr.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var settings = new EngineSettings();
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/NAME.* and masks/NAME.png (e.g. ../shared/data/grabcut)", Required = true };
        var model = new Option<string>("--model") { Description = "Model id, or several separated by commas (random-walker,watershed,graph-cut)", Required = true };
        var mode = new Option<string>("--mode") { Description = "clicks (robot clicks), scribbles (robot scribbles), real-scribbles (human strokes of --scribble-set) or volume (Mem3D rounds over a folder of volume case folders)", DefaultValueFactory = _ => "clicks" };
        var max = new Option<int>("--max") { Description = "Most interactions per sample", DefaultValueFactory = _ => 20 };
        var targets = new Option<string>("--targets") { Description = "IoU targets in (0,1], comma-separated; the loop stops at the highest", DefaultValueFactory = _ => "0.85,0.90" };
        var output = new Option<string>("--out") { Description = "Folder for results.json, table.md and iou-curve.png", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Evaluate at most N samples" };
        var seed = new Option<int?>("--seed") { Description = "Shuffle the samples with this seed before --limit (default: name order)" };
        var crop = new Option<string?>("--crop") { Description = "Evaluate only the region X,Y,W,H of every image (large images)" };
        var scribbleSet = new Option<string?>("--scribble-set") { Description = "Human scribbles for real-scribbles: folder name inside the dataset (scribbles-set-1, or 1) or a path" };
        var classId = new Option<int?>("--class") { Description = "Class-id masks: the object is the pixels equal to this id (WSSS4LUAD tumour = 0)" };
        var maskKind = new Option<string?>("--mask-kind") { Description = "auto (16-bit → instances, else binary), binary, instances or class" };
        var ignore = new Option<int?>("--ignore") { Description = "Mask value ignored by metrics and robots (default 128, GrabCut's band; -1 for none)" };
        var margin = new Option<int?>("--instance-margin") { Description = "Instance masks: pixels of context around each instance (default 16)" };
        var initialMasks = new Option<string?>("--initial-masks") { Description = "Start from the masks in this folder (named like the images) instead of an empty mask" };
        var guide = new Option<string?>("--guide-model") { Description = "Start from this model's prediction without interactions" };
        var initialIou = new Option<string?>("--initial-iou") { Description = "MIN,MAX: keep samples whose initial IoU lies in this range (CGAM pathology protocol: 0.5,0.7)" };
        var share = new Option<double?>("--scribble-share") { Description = "Scribble robot: share of the image's pixels per scribble (default 0.0005 = 0.05 %)" };
        var radius = new Option<double?>("--click-radius") { Description = "Override the robot click radius (default: the error-region distance at the click)" };
        var imagePattern = new Option<string?>("--image-pattern") { Description = "Only images whose name matches this glob (GlaS test set: 'testA_*')" };
        var alternate = new Option<string?>("--alternate") { Description = "even or odd: every other image of the name-sorted list (WSSS4LUAD: train on even, evaluate on odd)" };
        var labelPattern = new Option<string>("--label-pattern") { Description = "volume: glob of the label volume in each case folder (object = label > 0)", DefaultValueFactory = _ => "OTMultiClass*" };
        var cases = new Option<string>("--cases") { Description = "volume: only case folders whose name matches one of these globs (comma-separated)", DefaultValueFactory = _ => "*" };
        var rounds = new Option<int>("--rounds") { Description = "volume: rounds of interaction + propagation per case", DefaultValueFactory = _ => 6 };
        var sliceChoice = new Option<string>("--slice-choice") { Description = "volume: how the next slice is chosen: quality, oracle, random (comma-separated for several)", DefaultValueFactory = _ => "quality,oracle,random" };
        var volumeInteraction = new Option<string>("--volume-interaction") { Description = "volume: the robot's input on the chosen slice: box, extreme (points) or scribble (object skeleton)", DefaultValueFactory = _ => "box" };
        var slicePrior = new Option<bool>("--slice-prior") { Description = "volume: f_In refines the chosen slice's propagated mask from the previous round instead of starting from 0.5" };
        var command = new Command("eval", "Evaluate models with the NoC/NoF/NoI/SPC protocol (robot clicks or scribbles, or human scribbles), or volumetric models with --mode volume (Dice after each round)")
        {
            dataset, model, mode, max, targets, output, limit, seed, crop, scribbleSet, classId, maskKind, ignore, margin, initialMasks, guide, initialIou, share, radius, imagePattern, alternate,
            labelPattern, cases, rounds, sliceChoice, volumeInteraction, slicePrior,
        };
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var engine = settings.Build(parse);
            if (parse.GetValue(mode) == "volume")
                return VolumeEvalCommand.Run(engine, new VolumeEvalOptions
                {
                    Dataset = parse.GetValue(dataset)!, ModelId = parse.GetValue(model)!, Output = parse.GetValue(output)!,
                    ImagePattern = parse.GetValue(imagePattern) ?? "Flair*", LabelPattern = parse.GetValue(labelPattern)!, Cases = parse.GetValue(cases)!,
                    Rounds = parse.GetValue(rounds), Interaction = parse.GetValue(volumeInteraction)!, Seed = parse.GetValue(seed) ?? 1, SlicePrior = parse.GetValue(slicePrior),
                    SliceChoices = parse.GetValue(sliceChoice)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    Command = "segbridge " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
                }, ct);
            var p = new EvalRunParams
            {
                Dataset = parse.GetValue(dataset),
                Models = parse.GetValue(model)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Mode = parse.GetValue(mode), Max = parse.GetValue(max), Targets = Numbers(parse.GetValue(targets)!, "--targets"),
                Limit = parse.GetValue(limit), Seed = parse.GetValue(seed),
                Crop = parse.GetValue(crop) is { } c ? Numbers(c, "--crop").Select(v => (int)v).ToArray() : null,
                ScribbleSet = parse.GetValue(scribbleSet), ClassId = parse.GetValue(classId), MaskKind = parse.GetValue(maskKind),
                IgnoreValue = parse.GetValue(ignore), InstanceMargin = parse.GetValue(margin), InitialMasks = parse.GetValue(initialMasks), ImagePattern = parse.GetValue(imagePattern), Alternate = parse.GetValue(alternate), GuideModel = parse.GetValue(guide),
                InitialIou = parse.GetValue(initialIou) is { } r ? Numbers(r, "--initial-iou") : null,
                ScribbleShare = parse.GetValue(share), ClickRadius = parse.GetValue(radius),
            };
            var service = new EvalService(engine);
            var plan = service.Check(p);
            var bar = new ProgressBar();
            var results = await Task.Run(() => service.Run(plan, bar, ct), ct);
            bar.Finish();
            var files = EvalReports.WriteAll(results, parse.GetValue(output)!, "segbridge " + string.Join(' ', parse.Tokens.Select(t => t.Value)));
            foreach (var m in results.Models)
            {
                var s = m.Summary;
                var count = EvalModes.CountName(plan.Options.Mode);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"segbridge: {s.Model}: {string.Join(", ", results.Targets.Select((t, i) => $"{count}@{t * 100:0.#} {s.MeanNoc[i]:0.00} (NoF {s.NoF[i]})"))}, SPC {s.SecondsPerInteraction:0.000} s, {s.Samples} samples"));
            }
            Console.Error.WriteLine($"segbridge: wrote {string.Join(", ", files)}");
            return 0;
        });
        return command;
    }

    private static double[] Numbers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new CommandException($"{option} '{text}' must be comma-separated numbers");
        return values;
    }

    /// <summary>`\r[#####.....] 12/50 random-walker sample` on stderr, redrawn in place.</summary>
    private sealed class ProgressBar : IProgress<EvalProgress>
    {
        private const int Width = 30;
        private int _lastLength;
        private readonly object _gate = new();

        public void Report(EvalProgress p)
        {
            lock (_gate)
            {
                int filled = p.Total == 0 ? Width : (int)Math.Round(Width * (double)p.Done / p.Total);
                var line = $"[{new string('#', filled)}{new string('.', Width - filled)}] {p.Done}/{p.Total} {p.Model} {p.Sample}";
                Console.Error.Write("\r" + line.PadRight(_lastLength));
                _lastLength = line.Length;
            }
        }

        public void Finish()
        {
            lock (_gate) { if (_lastLength > 0) Console.Error.WriteLine(); }
        }
    }
}
