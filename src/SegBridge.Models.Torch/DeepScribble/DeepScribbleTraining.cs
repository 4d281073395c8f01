using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Models.Training;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// `train --family deepscribble`: RefineNet on a trained guide network, with the eval harness's scribble robot
/// drawing the correction scribbles. Writes the refinement weights, their training record, a copy of the guide
/// beside them when it lives elsewhere, and one torch/deepscribble manifest naming both files.
/// </summary>
public sealed class DeepScribbleTraining : IModelTrainer
{
    public string Family => "deepscribble";
    public string Description => "RefineNet on a trained guide (DeepScribble's GuideNet + RefineNet)";

    public IReadOnlyList<TrainingOption> Options { get; } =
    [
        TorchTraining.Iterations(2000), TorchTraining.Batch(), TorchTraining.Crop(256), TorchTraining.LearningRate(5e-4),
        TorchTraining.Seed, TorchTraining.Threads,
        new("guideWeights", "The guide network's .safetensors (GuideNet); RefineNet starts from it and takes its shape", null, "a guide network's .safetensors"),
        new("inputs", "What RefineNet reads besides the image: I, I+P, I+P+S or I+P+D (the paper's)", "I+P+D", string.Join(", ", ClickNetworkConfig.RefineInputSets)),
        new("rounds", "Correction rounds per simulated session: the first scribble on GuideNet's errors, each later one on RefineNet's own", "20", "[1, 100]"),
        new("validationRounds", "Robot scribbles on each held-out image before its IoU is measured (the validation curve)", "5", "[1, 100]"),
        .. TorchTraining.LongRun,
    ];

    public TrainingOutcome Train(TrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var read = new TrainingOptionReader(request, Options);
        var guidePath = read.OptionalText("guideWeights")
            ?? throw read.Refuse("guideWeights", "is required for " + read.Spell("family") + " deepscribble (the GuideNet .safetensors, e.g. plugin-manifests/weights/guide-hist.safetensors)", "a guide network's .safetensors");
        var inputs = read.Text("inputs");
        if (!ClickNetworkConfig.RefineInputSets.Contains(inputs))
            throw read.Refuse("inputs", $"is '{inputs}'; allowed: {string.Join(", ", ClickNetworkConfig.RefineInputSets)}", string.Join(", ", ClickNetworkConfig.RefineInputSets));
        var modelName = TorchTraining.ModelName(request);
        TorchTraining.RequireData(request);
        var outDir = Path.GetFullPath(request.Output);
        var validationShare = read.Double("validationShare", v => v is >= 0 and <= 0.5, "[0, 0.5]");
        var schedule = TorchTraining.CropSchedule(read, new RefineTrainingOptions
        {
            Rounds = read.Int("rounds", 1, 100), ValidationRounds = read.Int("validationRounds", 1, 100),
            CheckpointEvery = read.Int("checkpointEvery", 0, 1_000_000), CheckpointFolder = Path.Combine(outDir, "checkpoints", modelName),
            ResumeFrom = read.OptionalText("resume") is { } resume ? Path.GetFullPath(resume) : null, ValidationEvery = read.Int("validationEvery", 1, 1_000_000),
        });
        if (schedule.ResumeFrom is { } from && !Directory.Exists(from)) throw read.Refuse("resume", $"'{from}' is not a checkpoint folder", "a checkpoint folder");
        guidePath = Path.GetFullPath(guidePath);
        if (!File.Exists(guidePath)) throw read.Refuse("guideWeights", $"'{guidePath}' does not exist", "a guide network's .safetensors");
        var (device, threads) = TorchTraining.Device(read);
        using var _ = threads;

        ClickNetwork guide;
        try { guide = ClickModelWeights.Load(guidePath).Network; }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException) { throw read.Refuse("guideWeights", $"'{guidePath}' do not load: {e.Message}", "a guide network's .safetensors"); }
        if (guide.Config.InputChannels != 3 || guide.Config.RefineInputs is not null)
            throw read.Refuse("guideWeights", $"'{guidePath}' are not a guide network (3 input channels)", "a guide network's .safetensors");

        var (specs, all) = TrainingData.LoadAll(request, request.Data, "data", progress);
        var (samples, heldOut) = TorchTraining.HoldOut(all, validationShare, schedule.Seed);
        if (heldOut.Count > 0) progress?.Report(TrainingProgress.ForNote($"{heldOut.Count} of {all.Count} samples held out for validation: {string.Join(", ", heldOut.Select(h => h.Name).Take(8))}{(heldOut.Count > 8 ? ", …" : "")}"));
        var options = schedule with { Network = guide.Config with { RefineInputs = inputs, InputChannels = ClickNetworkConfig.RefineChannels(inputs) } };
        var started = DateTime.UtcNow;
        progress?.Report(TrainingProgress.ForNote($"training RefineNet {modelName} ({inputs}) from guide {Path.GetFileName(guidePath)} on {device.type}, {options.Iterations} iterations of {options.BatchSize} crops {options.CropSize}px, sessions of up to {options.Rounds} scribbles"
            + (options.ResumeFrom is null ? "" : $", resuming from {options.ResumeFrom}")));
        var trainer = new RefineTrainer(options, device);
        ClickNetwork network;
        try
        {
            network = trainer.Train(samples, heldOut, guide, RobotScribbles, TorchTraining.Relay<RefineTrainer.Progress>(progress, p => new TrainingProgress("training", p.Iteration, p.Total, p.Loss)
            {
                Elapsed = p.Elapsed, Remaining = p.Remaining, Milestone = p.ValidationIou is not null || p.Checkpoint is not null, Detail = Milestone(p, trainer.ValidationGuideIou),
            }), ct);
        }
        catch (TrainingCheckpointException e) { throw read.Refuse("resume", e.Message, "a checkpoint of this run"); }
        ct.ThrowIfCancellationRequested();

        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var guideRelative = "weights/" + Path.GetFileName(guidePath);
        var guideCopy = Path.Combine(outDir, guideRelative);
        if (!string.Equals(Path.GetFullPath(guideCopy), guidePath, StringComparison.Ordinal)) File.Copy(guidePath, guideCopy, overwrite: true);
        var guideSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(guideCopy)));
        var record = TrainingOutput.NewRecord(request, specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
        TorchTraining.RecordResume(record, trainer.ResumedFrom, trainer.TrainingSeconds);
        TorchTraining.RecordCurve(record, trainer.Curve, heldOut, outDir, modelName);
        if (trainer.ValidationGuideIou is { } guideIou) record["validationGuideIou"] = Math.Round(guideIou, 4);
        record["sessions"] = new JsonObject { ["started"] = trainer.SessionsStarted, ["endedWithNothingToCorrect"] = trainer.SessionsSolved };
        record["guide"] = new JsonObject { ["weights"] = guideRelative, ["sha256"] = guideSha };
        // RefineNet is the guide widened, so its backbone is whatever the guide started from (its own record names the file).
        record["backbone"] = guide.Config.Backbone is { } backbone ? $"{backbone} (through the guide)" : "none (trained from scratch, through the guide)";
        var (_, sha) = TrainingOutput.SaveWeights(outDir, modelName, network, null, record);
        var manifest = TrainingOutput.WriteManifest(outDir, modelName, $"DeepScribble, GuideNet + RefineNet ({inputs}), DeepLabV3+ ResNet-{guide.Config.Depth}", DeepScribbleFamily.Id,
            role: null, new JsonArray("scribble", "labels", "click"), new JsonObject { ["maxSide"] = 400 },
            TrainingOutput.WeightsEntry(guideRelative, guideSha, $"weights/{modelName}.safetensors", sha),
            "DeepScribble: Interactive Pathology Image Segmentation with Deep Neural Networks (GuideNet + RefineNet)", request.Command);
        progress?.Report(TrainingProgress.ForNote($"wrote weights/{modelName}.safetensors (sha256 {sha}) and manifest {modelName}.json in {outDir}"));
        return TrainingOutput.Outcome(outDir, modelName, [manifest], started);
    }

    /// <summary>"held-out IoU after 5 scribbles 0.812 checkpoint …" for an iteration that measured or saved, else null.</summary>
    private static string? Milestone(RefineTrainer.Progress p, double? guideIou)
    {
        string?[] parts = [p.ValidationIou is { } iou ? FormattableString.Invariant($"held-out IoU {iou:F3} (GuideNet alone {guideIou:F3})") : null, p.Checkpoint is { } c ? $"checkpoint {c}" : null,
            FormattableString.Invariant($"mean round {p.MeanRound:F1}")];
        return p.ValidationIou is null && p.Checkpoint is null ? null : string.Join(" ", parts.OfType<string>());
    }

    /// <summary>The eval harness's scribble robot (DeepScribble §2.2.3) as the trainer's correction-scribble source.</summary>
    private static byte[]? RobotScribbles(byte[] prediction, byte[] truth, byte[]? labelled, int width, int height)
        => ScribbleRobot.Propose(new Mask(width, height, prediction), GroundTruth.FromMask(new Mask(width, height, truth)), labelled);
}
