using System.Diagnostics;
using SegBridge.Eval.Data;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;

namespace SegBridge.Eval.Volumes;

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
/// without the object gets an empty mask (the user clears it). The rounds are <see cref="VolumeRounds"/>, the
/// same as volumes/propagate's, so a rule of the rounds holds for the engine and the evaluation alike.
/// </summary>
public sealed class VolumeEval(ISegmentationModel sliceModel, IVolumeModel volumeModel)
{
    public static readonly string[] Choices = ["quality", "expected-errors", "oracle", "random"];
    public static IReadOnlyList<string> Interactions => VolumeSliceRobot.Interactions;

    private readonly VolumeSliceRobot _robot = new(sliceModel);

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
        var volumeRounds = new VolumeRounds(w, h, d);
        var rounds = new List<Round>();
        int slice = Enumerable.Range(0, d).MaxBy(z => truth[z].Count(v => v != 0));
        // The rounds refuse an empty first slice (it would propagate nothing), so say which case has no object.
        if (Array.IndexOf(truth[slice], (byte)1) < 0) throw new InvalidDataException($"{name}: no voxel of the labels is > 0; there is no object to segment");
        double? chosenQuality = null;
        for (int r = 1; r <= options.Rounds; r++)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new(name, choice, r, options.Rounds));
            var sw = Stopwatch.StartNew();
            var sliceMask = _robot.Interact(volume, slice, truth[slice], options.Interaction, options.SlicePrior ? volumeRounds.Prior(slice) : null, ct);
            var result = volumeRounds.Propagate(volume, volumeModel, slice, sliceMask, null, ct);
            var predicted = result.SliceRle.Select(rle => CocoRle.Decode(rle, w, h).Data).ToArray();
            var interactive = volumeRounds.InteractiveSlices;
            var (correlation, error) = VolumeMetrics.QualityAgreement(predicted, truth, result.Quality, interactive);
            rounds.Add(new Round(r, slice, VolumeMetrics.Dice(predicted, truth), VolumeMetrics.Dice([sliceMask.Data], [truth[slice]]), sw.Elapsed.TotalSeconds,
                chosenQuality, correlation, error));
            var candidates = Enumerable.Range(0, d).Where(z => !interactive.Contains(z)).ToList();
            if (candidates.Count == 0) break;
            var relevant = candidates.Where(z => Array.IndexOf(truth[z], (byte)1) >= 0 || Array.IndexOf(predicted[z], (byte)1) >= 0).ToList();
            if (relevant.Count == 0) relevant = candidates;
            (slice, chosenQuality) = choice switch
            {
                "quality" => QualityChoice(volumeRounds, SliceRanking.LowestQuality),
                "expected-errors" => QualityChoice(volumeRounds, SliceRanking.MostExpectedErrors),
                "oracle" => (relevant.MaxBy(z => VolumeMetrics.Errors(predicted[z], truth[z])), null),
                "random" => (relevant[rng.Next(relevant.Count)], null),
                _ => throw new ArgumentException($"slice choice '{choice}'; allowed: {string.Join(", ", Choices)}"),
            };
        }
        return new CaseRun(name, choice, rounds);
    }

    /// <summary>The slice volumes/suggest would name with this ranking: the model's own view, no truth.</summary>
    private static (int, double?) QualityChoice(VolumeRounds rounds, SliceRanking ranking)
    {
        int best = rounds.Suggest(ranking)!.Value;
        return (best, rounds.Latest!.Quality[best]);
    }
}
