using System.Diagnostics;
using SegBridge.Eval.Data;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval;

public enum EvalMode { Clicks, Scribbles, RealScribbles }

public static class EvalModes
{
    public static readonly string[] Names = ["clicks", "scribbles", "real-scribbles"];
    public static string Name(EvalMode m) => Names[(int)m];
    public static EvalMode? Parse(string? s) => Array.IndexOf(Names, s) is var i and >= 0 ? (EvalMode)i : null;
    /// <summary>The interaction kind a model must accept for the mode.</summary>
    public static string InteractionKind(EvalMode m) => m == EvalMode.Clicks ? "click" : "labels";
    /// <summary>NoC for clicks, NoI for scribbles.</summary>
    public static string CountName(EvalMode m) => m == EvalMode.Clicks ? "NoC" : "NoI";
}

public sealed record EvalOptions
{
    public required IReadOnlyList<string> Models { get; init; }
    public EvalMode Mode { get; init; } = EvalMode.Clicks;
    public int MaxInteractions { get; init; } = 20;
    /// <summary>IoU targets in (0, 1]; the loop stops at the highest.</summary>
    public IReadOnlyList<double> Targets { get; init; } = [0.85, 0.90];
    public double ScribbleShare { get; init; } = ScribbleRobot.DefaultShare;
    public double ScribbleThreshold { get; init; } = ScribbleRobot.DefaultThreshold;
    /// <summary>Robot clicks carry the error distance as radius (protocol); a value here overrides it (e.g. 3 or 0).</summary>
    public double? ClickRadius { get; init; }
    /// <summary>Start from this model's prediction with no interaction (a guide model); null = empty mask or the dataset's initial masks.</summary>
    public string? GuideModel { get; init; }
    /// <summary>Keep only samples whose initial IoU lies in [min, max] (CGAM's pathology protocol: 0.5..0.7).</summary>
    public (double Min, double Max)? InitialIouRange { get; init; }
}

/// <summary>One sample under one model.</summary>
public sealed record SampleResult
{
    public required string Name { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required double InitialIou { get; init; }
    public required double InitialDice { get; init; }
    /// <summary>IoU after each interaction made (stops at the highest target).</summary>
    public required double[] Ious { get; init; }
    public required double[] Dices { get; init; }
    /// <summary>Wall seconds of each interaction (model + mask encoding).</summary>
    public required double[] Seconds { get; init; }
    /// <summary>NoC (or NoI) per target, aligned with the targets.</summary>
    public required int[] Noc { get; init; }
    /// <summary>Whether the target was never reached, per target.</summary>
    public required bool[] Failed { get; init; }
    /// <summary>Why the loop ended: target, max, strokes-exhausted, no-error-left.</summary>
    public required string Stop { get; init; }
    public string? Notes { get; init; }
}

public sealed record ModelSummary
{
    public required string Model { get; init; }
    public required int Samples { get; init; }
    public required double[] MeanNoc { get; init; }
    public required int[] NoF { get; init; }
    /// <summary>Mean wall seconds per interaction over every interaction made.</summary>
    public required double SecondsPerInteraction { get; init; }
    /// <summary>Sum of interaction seconds over every sample.</summary>
    public required double TotalSeconds { get; init; }
    public required int Interactions { get; init; }
    /// <summary>Mean IoU after 1..max interactions (last value carried forward after a sample stops).</summary>
    public required double[] MeanIouCurve { get; init; }
    public required double[] MeanDiceCurve { get; init; }
    public required double MeanInitialIou { get; init; }
}

public sealed record ModelResult(ModelSummary Summary, IReadOnlyList<SampleResult> Samples);

public sealed record EvalResults
{
    public required string Dataset { get; init; }
    public required string Mode { get; init; }
    public required int MaxInteractions { get; init; }
    public required double[] Targets { get; init; }
    public required string Protocol { get; init; }
    public required IReadOnlyList<ModelResult> Models { get; init; }
    public required double WallSeconds { get; init; }
    public required int SkippedSamples { get; init; }
}

/// <summary>Progress after each (sample, model): done of total, the model, the sample.</summary>
public readonly record struct EvalProgress(int Done, int Total, string Model, string Sample);

/// <summary>
/// Runs the protocol: for every sample and model, start from the initial mask (empty, a guide model's
/// prediction or a mask from a folder), let the robot (or the human strokes) correct the prediction
/// up to <see cref="EvalOptions.MaxInteractions"/> times, stop when the IoU reaches the highest target,
/// and collect IoU, Dice and wall seconds per interaction.
/// </summary>
public sealed class EvalRunner(ISessionFactory sessions)
{
    public const string ProtocolDescription =
        "NoC@t = interactions until IoU >= t first holds, max when never (then counted in NoF@t); loop stops at the highest target; " +
        "IoU/Dice exclude ignored truth pixels; mean IoU curves carry a sample's last IoU forward after it stops; " +
        "SPC = wall seconds per interaction (model + COCO RLE encoding of the mask, robots excluded); Time = sum of those seconds.";

    public EvalResults Run(EvalDataset dataset, EvalOptions options, IProgress<EvalProgress>? progress = null, CancellationToken ct = default)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var results = options.Models.ToDictionary(m => m, _ => new List<SampleResult>());
        int limit = dataset.Options.Limit ?? int.MaxValue;
        int total = Math.Min(limit, dataset.Samples.Count) * options.Models.Count, done = 0, accepted = 0, skipped = 0;
        foreach (var r in dataset.Samples)
        {
            if (accepted >= limit) break;
            ct.ThrowIfCancellationRequested();
            var sample = dataset.Load(r);
            if (options.Mode == EvalMode.RealScribbles && sample.Scribbles is null)
                throw new DatasetException("scribbleSet", "real-scribbles mode needs a scribble set (e.g. scribbles-set-1)");
            if (sample.Truth.ObjectPixels == 0) { skipped++; continue; }
            var initial = InitialMask(sample, options, ct);
            double initialIou = Metrics.Iou(initial, sample.Truth);
            if (options.InitialIouRange is { } range && (initialIou < range.Min || initialIou > range.Max)) { skipped++; continue; }
            accepted++;
            foreach (var model in options.Models)
            {
                results[model].Add(RunSample(sample, model, initial, initialIou, options, ct));
                progress?.Report(new EvalProgress(++done, total, model, sample.Name));
            }
        }
        return new EvalResults
        {
            Dataset = dataset.Options.Folder,
            Mode = EvalModes.Name(options.Mode),
            MaxInteractions = options.MaxInteractions,
            Targets = options.Targets.ToArray(),
            Protocol = ProtocolDescription,
            Models = options.Models.Select(m => new ModelResult(Summarise(m, results[m], options), results[m])).ToList(),
            WallSeconds = clock.Elapsed.TotalSeconds,
            SkippedSamples = skipped,
        };
    }

    private void Validate(EvalOptions o)
    {
        if (o.Models.Count == 0) throw new ArgumentException("give at least one model");
        if (o.MaxInteractions is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(o.MaxInteractions), $"max interactions {o.MaxInteractions} must be in 1..1000");
        if (o.Targets.Count == 0 || o.Targets.Any(t => !(t > 0 && t <= 1))) throw new ArgumentOutOfRangeException(nameof(o.Targets), "targets must lie in (0, 1]");
        var kind = EvalModes.InteractionKind(o.Mode);
        foreach (var m in o.Models)
            if (!sessions.InteractionsOf(m).Contains(kind))
                throw new ArgumentException($"model '{m}' does not take {kind} interactions, which {EvalModes.Name(o.Mode)} mode needs");
    }

    private Mask InitialMask(EvalSample sample, EvalOptions options, CancellationToken ct)
    {
        if (options.GuideModel is { } guide) return sessions.Predict(guide, sample.Image, ct);
        return sample.InitialMask ?? new Mask(sample.Truth.Width, sample.Truth.Height);
    }

    private SampleResult RunSample(EvalSample sample, string model, Mask initial, double initialIou, EvalOptions options, CancellationToken ct)
    {
        var ious = new List<double>();
        var dices = new List<double>();
        var seconds = new List<double>();
        double top = options.Targets.Max();
        var clicks = new ClickRobot();
        var scribbles = new ScribbleRobot(options.ScribbleShare, options.ScribbleThreshold);
        var strokes = options.Mode == EvalMode.RealScribbles ? RealScribbles.Strokes(sample.Scribbles!, sample.Truth.Width, sample.Truth.Height) : null;
        var prediction = initial;
        string stop = "max";
        string? notes = null;
        using (var session = sessions.Open(model, sample.Image))
        {
            double iou = initialIou;
            for (int k = 0; k < options.MaxInteractions; k++)
            {
                if (iou >= top) { stop = "target"; break; }
                Interaction? next = options.Mode switch
                {
                    EvalMode.Clicks => clicks.Next(prediction, sample.Truth) is { } c
                        ? (options.ClickRadius is { } r ? c.Click with { Radius = r } : c.Click) : null,
                    EvalMode.Scribbles => scribbles.Next(prediction, sample.Truth),
                    _ => k < strokes!.Count ? strokes[k] : null,
                };
                if (next is null) { stop = options.Mode == EvalMode.RealScribbles ? "strokes-exhausted" : "no-error-left"; break; }
                var sw = Stopwatch.StartNew();
                var step = session.Apply(next, ct);
                seconds.Add(sw.Elapsed.TotalSeconds);
                prediction = step.Mask;
                notes = step.Notes;
                iou = Metrics.Iou(prediction, sample.Truth);
                ious.Add(iou);
                dices.Add(Metrics.Dice(prediction, sample.Truth));
            }
            if (iou >= top) stop = "target";
        }
        var noc = new int[options.Targets.Count];
        var failed = new bool[options.Targets.Count];
        for (int t = 0; t < noc.Length; t++)
            (noc[t], failed[t]) = Metrics.NumberOfClicks(initialIou, ious, options.Targets[t], options.MaxInteractions);
        return new SampleResult
        {
            Name = sample.Name, Width = sample.Truth.Width, Height = sample.Truth.Height, InitialIou = initialIou, InitialDice = Metrics.Dice(initial, sample.Truth),
            Ious = [.. ious], Dices = [.. dices], Seconds = [.. seconds], Noc = noc, Failed = failed, Stop = stop, Notes = notes,
        };
    }

    public static ModelSummary Summarise(string model, IReadOnlyList<SampleResult> samples, EvalOptions options)
    {
        int max = options.MaxInteractions, n = samples.Count, targets = options.Targets.Count;
        var meanNoc = new double[targets];
        var nof = new int[targets];
        foreach (var s in samples)
            for (int t = 0; t < targets; t++) { meanNoc[t] += s.Noc[t]; if (s.Failed[t]) nof[t]++; }
        if (n > 0) for (int t = 0; t < targets; t++) meanNoc[t] /= n;
        int interactions = samples.Sum(s => s.Seconds.Length);
        double total = samples.Sum(s => s.Seconds.Sum());
        return new ModelSummary
        {
            Model = model,
            Samples = n,
            MeanNoc = meanNoc,
            NoF = nof,
            SecondsPerInteraction = interactions == 0 ? 0 : total / interactions,
            TotalSeconds = total,
            Interactions = interactions,
            MeanIouCurve = Metrics.Mean(samples.Select(s => Metrics.CarryForward(s.InitialIou, s.Ious, max)).ToList(), max),
            MeanDiceCurve = Metrics.Mean(samples.Select(s => Metrics.CarryForward(s.InitialDice, s.Dices, max)).ToList(), max),
            MeanInitialIou = n == 0 ? 0 : samples.Average(s => s.InitialIou),
        };
    }
}
