using System.Diagnostics;
using SegBridge.Eval.Data;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;

namespace SegBridge.Eval;

/// <summary>
/// The volumetric protocol of Mem3D's Table 2: per case, round 1 segments the slice with the largest object
/// area; every round the robot interacts on the chosen slice (from the ground truth of that slice: a box around
/// the object, its four extreme points, or a scribble along its skeleton), f_In turns it into the slice mask
/// (from 0.5 everywhere, or with <see cref="Options.SlicePrior"/> refining that slice's propagated mask from the
/// previous round, as the paper's f_In takes the previous mask), the model propagates through the volume with every segmented slice in
/// memory, and the whole-volume Dice is recorded. The next slice is chosen among slices not yet segmented by
/// <c>quality</c> (lowest f_QA score among slices where the model's mask is not empty — as volumes/suggest; on
/// empty slices f_QA's score says little, and a user refines what was segmented), <c>expected-errors</c> (the
/// most pixels f_QA's score expects to be wrong, <see cref="SliceRanking.MostExpectedErrors"/>; volumes/suggest with
/// rank mostExpectedErrors), <c>oracle</c> (the slice with the most wrongly labelled voxels: the
/// truth's worst slice in absolute terms; the lowest per-slice Dice would pick slices with a handful of false
/// positives, whose correction does not move the volume's Dice) or <c>random</c> (uniform, seeded, among slices
/// where the truth or the prediction holds the object). A chosen slice
/// without the object gets an empty mask (the user clears it).
/// </summary>
public sealed class VolumeEval(ISegmentationModel sliceModel, IVolumeModel volumeModel)
{
    public static readonly string[] Choices = ["quality", "expected-errors", "oracle", "random"];
    public static readonly string[] Interactions = ["box", "extreme", "scribble"];

    /// <param name="SlicePrior">Feed f_In the chosen slice's propagated mask from the previous round (the paper's
    /// "previous mask of that slice"); off: every round's f_In starts from 0.5 everywhere.</param>
    public sealed record Options(int Rounds, IReadOnlyList<string> SliceChoices, string Interaction, int Seed, bool SlicePrior = false);

    /// <param name="QualityCorrelation">Pearson r between f_QA's scores and the true IoU over the model's non-empty,
    /// non-interactive slices after this round (null with fewer than 3 such slices or no spread).</param>
    /// <param name="QualityError">Mean |score − true IoU| over the same slices.</param>
    public sealed record Round(int Number, int Slice, double Dice, double SliceDice, double Seconds, double? ChosenQuality,
        double? QualityCorrelation = null, double? QualityError = null);
    public sealed record CaseRun(string Case, string Choice, IReadOnlyList<Round> Rounds);
    public sealed record Progress(string Case, string Choice, int Round, int Rounds);

    public IReadOnlyList<CaseRun> Run(IReadOnlyList<VolumeDataset.Case> cases, Options options, IProgress<Progress>? progress, CancellationToken ct)
    {
        var runs = new List<CaseRun>();
        foreach (var c in cases)
        {
            var volume = c.LoadImage();
            var truth = c.LoadTruth(volume);
            foreach (var choice in options.SliceChoices)
                runs.Add(RunCase(c.Name, volume, truth, choice, options, progress, ct));
        }
        return runs;
    }

    private CaseRun RunCase(string name, Volume volume, byte[][] truth, string choice, Options options, IProgress<Progress>? progress, CancellationToken ct)
    {
        int w = volume.Width, h = volume.Height, d = volume.Depth;
        var rng = new Random(options.Seed);
        var interactive = new Dictionary<int, Mask>();
        var rounds = new List<Round>();
        int slice = Enumerable.Range(0, d).MaxBy(z => truth[z].Count(v => v != 0));
        double? chosenQuality = null;
        byte[][]? previous = null;
        VolumePropagation? last = null;
        for (int r = 1; r <= options.Rounds; r++)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new(name, choice, r, options.Rounds));
            var sw = Stopwatch.StartNew();
            var sliceMask = Interact(volume, slice, truth[slice], options.Interaction, options.SlicePrior ? previous?[slice] : null, ct);
            interactive[slice] = sliceMask;
            var result = volumeModel.Propagate(volume, interactive.Select(kv => new InteractiveSlice(kv.Key, kv.Value)).ToList(), slice, last, null, ct);
            last = result;
            var predicted = result.SliceRle.Select(rle => CocoRle.Decode(rle, w, h).Data).ToArray();
            previous = predicted;
            var (correlation, error) = QualityAgreement(predicted, truth, result.Quality, interactive.Keys);
            rounds.Add(new Round(r, slice, Dice(predicted, truth), Dice([sliceMask.Data], [truth[slice]]), sw.Elapsed.TotalSeconds, chosenQuality, correlation, error));
            var candidates = Enumerable.Range(0, d).Where(z => !interactive.ContainsKey(z)).ToList();
            if (candidates.Count == 0) break;
            var relevant = candidates.Where(z => Array.IndexOf(truth[z], (byte)1) >= 0 || Array.IndexOf(predicted[z], (byte)1) >= 0).ToList();
            if (relevant.Count == 0) relevant = candidates;
            (slice, chosenQuality) = choice switch
            {
                "quality" => QualityChoice(result, interactive.Keys, SliceRanking.LowestQuality),
                "expected-errors" => QualityChoice(result, interactive.Keys, SliceRanking.MostExpectedErrors),
                "oracle" => (relevant.MaxBy(z => Errors(predicted[z], truth[z])), null),
                "random" => (relevant[rng.Next(relevant.Count)], null),
                _ => throw new ArgumentException($"slice choice '{choice}'; allowed: {string.Join(", ", Choices)}"),
            };
        }
        return new CaseRun(name, choice, rounds);
    }

    /// <summary>The robot's interaction on one slice from its ground truth, through the slice model.</summary>
    /// <param name="previous">The slice's propagated mask from the last round (null in round 1): f_In refines it,
    /// given as 0.1 / 0.9 (the range f_In's training priors span) instead of 0.5 everywhere.</param>
    private Mask Interact(Volume volume, int z, byte[] truth, string kind, byte[]? previous, CancellationToken ct)
    {
        int w = volume.Width, h = volume.Height;
        if (Array.IndexOf(truth, (byte)1) < 0) return new Mask(w, h); // nothing on this slice: the user clears it
        IReadOnlyList<Interaction> interactions;
        switch (kind)
        {
            case "box":
                var (x0, y0, x1, y1) = Bounds(truth, w, h);
                interactions = [new Box(x0, y0, x1, y1)];
                break;
            case "extreme":
                interactions = [new ExtremePoints(Extremes(truth, w, h).Select(p => new PointD(p.X + 0.5, p.Y + 0.5)).ToArray())];
                break;
            default:
                var skeleton = Skeleton.Thin(truth, w, h);
                interactions = [new LabelImage(skeleton, w, h)];
                break;
        }
        var state = new ModelSessionState();
        if (previous is not null) state.Items[VolumeModelState.SlicePrior] = VolumeModelState.PriorFromMask(previous);
        return sliceModel.Segment(volume.SliceAsRaster(z), interactions, state, ct).Mask;
    }

    private static (int X0, int Y0, int X1, int Y1) Bounds(byte[] m, int w, int h)
    {
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int i = 0; i < m.Length; i++)
            if (m[i] != 0) { int x = i % w, y = i / w; x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x + 1); y1 = Math.Max(y1, y + 1); }
        return (x0, y0, x1, y1);
    }

    /// <summary>The mask's left-, right-, top- and bottom-most pixels (the first found of each), what a user clicks as extreme points.</summary>
    public static (int X, int Y)[] Extremes(byte[] m, int w, int h)
    {
        var pts = Enumerable.Range(0, m.Length).Where(i => m[i] != 0).Select(i => (X: i % w, Y: i / w)).ToList();
        return [pts.MinBy(p => p.X), pts.MaxBy(p => p.X), pts.MinBy(p => p.Y), pts.MaxBy(p => p.Y)];
    }

    /// <summary>The slice volumes/suggest would name with this ranking: the model's own view, no truth.</summary>
    private static (int, double?) QualityChoice(VolumePropagation result, IReadOnlyCollection<int> interactive, SliceRanking ranking)
    {
        int best = SliceSuggestion.Suggest(result.Quality, result.ForegroundPerSlice, interactive, ranking)!.Value;
        return (best, result.Quality[best]);
    }

    /// <summary>How well f_QA's scores predict the true IoU on the slices volumes/suggest ranks: Pearson r and mean |error|.</summary>
    public static (double? Correlation, double? MeanError) QualityAgreement(byte[][] predicted, byte[][] truth, float[] quality, IReadOnlyCollection<int> interactive)
    {
        var pairs = new List<(double Q, double Iou)>();
        for (int z = 0; z < truth.Length; z++)
        {
            if (interactive.Contains(z) || Array.IndexOf(predicted[z], (byte)1) < 0) continue;
            long inter = 0, union = 0;
            for (int i = 0; i < truth[z].Length; i++)
            {
                bool p = predicted[z][i] != 0, t = truth[z][i] != 0;
                if (p && t) inter++;
                if (p || t) union++;
            }
            pairs.Add((quality[z], (double)inter / union));
        }
        if (pairs.Count == 0) return (null, null);
        double error = pairs.Average(x => Math.Abs(x.Q - x.Iou));
        if (pairs.Count < 3) return (null, error);
        double mq = pairs.Average(x => x.Q), mi = pairs.Average(x => x.Iou);
        double cov = pairs.Sum(x => (x.Q - mq) * (x.Iou - mi)), vq = pairs.Sum(x => (x.Q - mq) * (x.Q - mq)), vi = pairs.Sum(x => (x.Iou - mi) * (x.Iou - mi));
        return (vq > 0 && vi > 0 ? cov / Math.Sqrt(vq * vi) : null, error);
    }

    private static long Errors(byte[] predicted, byte[] truth)
    {
        long n = 0;
        for (int i = 0; i < truth.Length; i++) if ((predicted[i] != 0) != (truth[i] != 0)) n++;
        return n;
    }

    /// <summary>Dice over all given slices (1 when both are empty).</summary>
    public static double Dice(byte[][] predicted, byte[][] truth)
    {
        long inter = 0, sum = 0;
        for (int z = 0; z < truth.Length; z++)
            for (int i = 0; i < truth[z].Length; i++)
            {
                bool p = predicted[z][i] != 0, t = truth[z][i] != 0;
                if (p && t) inter++;
                sum += (p ? 1 : 0) + (t ? 1 : 0);
            }
        return sum == 0 ? 1 : 2.0 * inter / sum;
    }
}
