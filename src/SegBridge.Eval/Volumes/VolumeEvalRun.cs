using SegBridge.Models;

namespace SegBridge.Eval.Volumes;

/// <summary>
/// One volume evaluation from options to reports, the single entry point of `segbridge eval --mode volume` and of
/// a request for it: the caller resolves the models (from its registry) and shows progress; this checks the
/// options, lists the cases, runs <see cref="VolumeEval"/> and writes <see cref="VolumeEvalReports"/>.
/// </summary>
public static class VolumeEvalRun
{
    /// <param name="sliceModel">The model that turns the robot's interaction into a slice mask (Mem3D: f_In).</param>
    /// <param name="volumeModel">The model that propagates through the volume (Mem3D: f_Mem + f_QA).</param>
    /// <exception cref="VolumeEvalOptionException">A field of <paramref name="options"/> is not allowed.</exception>
    public static VolumeEvalResult Run(ISegmentationModel sliceModel, IVolumeModel volumeModel, VolumeEvalOptions options,
        IProgress<VolumeEval.Progress>? progress, CancellationToken ct)
        => Run(sliceModel, volumeModel, options.Check(), progress, ct);

    /// <summary>Runs a plan already checked (a caller that reports the skipped case folders before the run starts).</summary>
    public static VolumeEvalResult Run(ISegmentationModel sliceModel, IVolumeModel volumeModel, VolumeEvalPlan plan,
        IProgress<VolumeEval.Progress>? progress, CancellationToken ct)
    {
        var o = plan.Options;
        var runs = new VolumeEval(sliceModel, volumeModel).Run(plan.Cases, new VolumeEval.Options(o.Rounds, o.SliceChoices, o.Interaction, o.Seed, o.SlicePrior), progress, ct);
        var mean = VolumeEvalReports.MeanDicePerRound(runs, o.SliceChoices, o.Rounds);
        var (results, table, text) = VolumeEvalReports.Write(plan, runs, mean);
        return new VolumeEvalResult(runs, mean, plan.Skipped, results, table, text);
    }
}

/// <param name="MeanDicePerRound">Per slice choice, the mean whole-volume Dice after each round.</param>
/// <param name="Skipped">Case folders left out, with why.</param>
/// <param name="Table">table.md's text.</param>
public sealed record VolumeEvalResult(IReadOnlyList<VolumeEval.CaseRun> Runs, IReadOnlyDictionary<string, double[]> MeanDicePerRound,
    IReadOnlyList<string> Skipped, string? ResultsPath, string? TablePath, string Table);
