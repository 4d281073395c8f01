using SegBridge.Engine;
using SegBridge.Eval.Volumes;
using SegBridge.Models;
using SegBridge.Models.Torch;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge eval --mode volume`: the flags become <see cref="VolumeEvalOptions"/>, the model comes from the
/// registry, and <see cref="VolumeEvalRun"/> does the rest; progress and the table go to stderr.
/// </summary>
internal static class VolumeEvalCommand
{
    /// <summary>The CLI flag of each options field, so a refusal names what the user typed.</summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["dataset"] = "--dataset", ["rounds"] = "--rounds", ["sliceChoices"] = "--slice-choice", ["interaction"] = "--volume-interaction",
        ["cases"] = "--cases", ["imagePattern"] = "--image-pattern", ["labelPattern"] = "--label-pattern", ["output"] = "--out",
    };

    public static int Run(SegBridgeEngine engine, VolumeEvalOptions options, CancellationToken ct)
    {
        var (sliceModel, volumeModel) = VolumeModel(engine, options.ModelId);
        // libtorch takes --threads when it loads; the model's readiness above has loaded it, so this is what the run uses.
        options = options with { Threads = TorchRuntime.ThreadsInUse };
        VolumeEvalPlan plan;
        try { plan = options.Check(); }
        catch (VolumeEvalOptionException e) { throw new CommandException(e.MessageFor(Flags.GetValueOrDefault(e.Field, e.Field))); }
        foreach (var s in plan.Skipped) Console.Error.WriteLine("segbridge: skipped " + s);
        var result = VolumeEvalRun.Run(sliceModel, volumeModel, plan,
            new Progress<VolumeEval.Progress>(p => Console.Error.WriteLine($"segbridge: {p.Case} {p.Choice} round {p.Round}/{p.Rounds}")), ct);
        Console.Error.Write(result.Table);
        Console.Error.WriteLine($"segbridge: wrote {result.ResultsPath}, {result.TablePath}");
        return 0;
    }

    private static (ISegmentationModel Slice, IVolumeModel Volume) VolumeModel(SegBridgeEngine engine, string modelId)
    {
        if (!engine.Registry.TryGet(modelId, out var entry))
            throw new CommandException($"unknown model '{modelId}'; known: {string.Join(", ", engine.Registry.Entries.Select(e => e.Manifest.Id).Order())}");
        if (!entry.IsReady) throw new CommandException($"model '{modelId}' is unavailable: {entry.UnavailableReason}");
        if (entry.Model is not IVolumeModel volumeModel)
            throw new CommandException($"model '{modelId}' does not propagate through volumes; volume models: {string.Join(", ", engine.Registry.Entries.Where(e => e.Model is IVolumeModel).Select(e => e.Manifest.Id))}");
        return (entry.Model, volumeModel);
    }
}
