using SegBridge.Engine.Compute;
using SegBridge.Eval.Volumes;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// eval/run with mode volume: the protocol face of <see cref="VolumeEvalRun"/>, the same entry point as
/// `segbridge eval --mode volume`, so a notebook and the CLI run one path. Checks the request's fields (by their
/// protocol names), resolves the volume model from the registry, runs as a long job of the compute queue with eval/progress
/// notifications per round, and maps the runs to <see cref="VolumeEvalReport"/>.
/// </summary>
internal sealed class VolumeEvalRequests(SegBridgeEngine engine, EvalService paths, IClientNotifier? notifier)
{
    public const string Mode = "volume";

    /// <summary>The options' own field names where the protocol spells them differently.</summary>
    private static readonly Dictionary<string, string> ProtocolNames = new() { ["interaction"] = "volumeInteraction", ["output"] = "out" };

    public async Task<EvalRunResult> RunAsync(EvalRunParams p, ComputeClient? client, CancellationToken ct)
    {
        var dataset = paths.Allowed(Errors.Required(p.Dataset, "dataset", "/data/brats"), "dataset");
        if (p.Out is { } outDir) paths.Allowed(Path.GetDirectoryName(Path.GetFullPath(outDir).TrimEnd('/')) ?? "/", "out");
        var volumeModels = string.Join(", ", engine.Registry.Entries.Where(e => e.Model is IVolumeModel).Select(e => e.Manifest.Id));
        if (p.Models is not [{ } id])
            throw Errors.Argument("models", "volume mode evaluates one volumetric model, e.g. [\"mem3d-brats\"]", volumeModels);
        var entry = ModelLookup.Ready(engine.Registry, id, "models");
        if (entry.Model is not IVolumeModel volumeModel)
            throw Errors.Argument("models", $"model '{id}' does not propagate through volumes; volume models: {volumeModels}", volumeModels);
        var token = ProgressNotifications.CheckToken(p.ProgressToken);
        var options = new VolumeEvalOptions
        {
            Dataset = dataset, ModelId = id, Output = p.Out is null ? null : Path.GetFullPath(p.Out),
            ImagePattern = p.ImagePattern ?? "Flair*", LabelPattern = p.LabelPattern ?? "OTMultiClass*",
            Cases = p.Cases is { Length: > 0 } cases ? string.Join(',', cases) : "*",
            Rounds = p.Rounds ?? 6, SliceChoices = p.SliceChoices ?? ["quality"], Interaction = p.VolumeInteraction ?? "box",
            Seed = p.Seed ?? 1, SlicePrior = p.SlicePrior ?? false, Command = "eval/run",
        };
        VolumeEvalPlan plan;
        try { plan = options.Check(); }
        catch (VolumeEvalOptionException e)
        {
            var field = ProtocolNames.GetValueOrDefault(e.Field, e.Field);
            throw Errors.Argument(field, e.MessageFor(field), e.Allowed);
        }
        var progress = ProgressNotifications.Rounds(token, notifier, plan.Cases.Count * options.SliceChoices.Count * options.Rounds);
        // An evaluation takes minutes: a long job holds one device slot for its whole run and is not cut by the request timeout.
        var result = await ErrorMapping.GuardAsync(() => engine.Compute.RunAsync(new ComputeJob(JobKind.Long, client), token =>
        {
            try { return VolumeEvalRun.Run(entry.Model!, volumeModel, plan, progress, token); }
            catch (InvalidDataException e) { throw Errors.Argument("dataset", e.Message); }
        }, ct));
        return ToResult(plan, result);
    }

    private static EvalRunResult ToResult(VolumeEvalPlan plan, VolumeEvalResult r)
    {
        var o = plan.Options;
        return new EvalRunResult
        {
            Dataset = plan.Dataset, Mode = Mode, Max = o.Rounds, Targets = [], Models = [], Samples = [], SkippedSamples = r.Skipped.Count,
            Protocol = "Mem3D rounds: round 1 interacts on the slice with the largest object, each later round on the slice its slice choice picks; the model propagates with every interactive slice in memory and the whole-volume Dice is recorded after each round.",
            WallSeconds = Math.Round(r.Runs.SelectMany(x => x.Rounds).Sum(x => x.Seconds), 3),
            Files = r.ResultsPath is null ? null : [r.ResultsPath, r.TablePath!],
            Volume = new VolumeEvalReport
            {
                Model = o.ModelId, Cases = plan.Cases.Select(c => c.Name).ToArray(), Rounds = o.Rounds, Interaction = o.Interaction, SlicePrior = o.SlicePrior,
                MeanDice = o.SliceChoices.Select(c => new VolumeChoiceDice { Choice = c, Dice = r.MeanDicePerRound[c].Select(v => Math.Round(v, 6)).ToArray() }).ToArray(),
                Runs = r.Runs.Select(run => new VolumeCaseRun
                {
                    Case = run.Case, Choice = run.Choice,
                    Rounds = run.Rounds.Select(x => new VolumeRoundResult
                    {
                        Number = x.Number, Slice = x.Slice, Dice = Math.Round(x.Dice, 6), SliceDice = Math.Round(x.SliceDice, 6), Seconds = Math.Round(x.Seconds, 3),
                        ChosenQuality = x.ChosenQuality, QualityCorrelation = x.QualityCorrelation, QualityError = x.QualityError,
                    }).ToArray(),
                }).ToArray(),
            },
        };
    }
}
