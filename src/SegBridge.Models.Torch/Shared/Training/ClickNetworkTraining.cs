using System.Text.Json;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Models.Training;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// The training run of a family that trains the DeepLabV3+ click network alone (brs-click in Brs/, the guide in
/// Guide/): options, data, held-out split, <see cref="ClickTrainer"/>, weights and record. The family supplies
/// whether the network reads clicks and the manifests it writes.
/// </summary>
public abstract class ClickNetworkTraining : IModelTrainer
{
    public abstract string Family { get; }
    public abstract string Description { get; }

    /// <summary>3 (image alone: a guide) or 5 (image and the two click maps).</summary>
    protected abstract int InputChannels { get; }

    /// <summary>Writes the family's manifests for the saved weights; returns their paths.</summary>
    protected abstract IReadOnlyList<string> WriteManifests(string outDir, string modelName, string weights, string sha, ClickNetworkConfig config, string command);

    private static readonly TrainingOption StartFromOption = new("startFrom",
        "Start from a trained guide's weights file (guide family): its network shape and weights (a click network's click channels at zero, so its click-free answer starts as the guide's; a guide continues training from it with a fresh optimiser)",
        null, "a guide weights file (.safetensors)");

    /// <summary>Both may start from a trained guide: a click network widened from it (<see cref="GuideStart"/>), a guide continuing it.</summary>
    public IReadOnlyList<TrainingOption> Options { get; } = [.. Common, StartFromOption];

    private static readonly IReadOnlyList<TrainingOption> Common =
    [
        TorchTraining.Iterations(2000), TorchTraining.Batch(), TorchTraining.Crop(256), TorchTraining.LearningRate(5e-4),
        TorchTraining.Seed, TorchTraining.Threads, .. TorchTraining.NetworkShape, .. TorchTraining.LongRun,
    ];

    public TrainingOutcome Train(TrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var read = new TrainingOptionReader(request, Options);
        var modelName = TorchTraining.ModelName(request);
        TorchTraining.RequireData(request);
        var startFrom = read.OptionalText("startFrom") is { } guidePath ? Path.GetFullPath(guidePath) : null;
        var config = startFrom is null ? TorchTraining.Network(read, InputChannels) : GuideConfig(read, startFrom);
        var outDir = Path.GetFullPath(request.Output);
        var validationShare = read.Double("validationShare", v => v is >= 0 and <= 0.5, "[0, 0.5]");
        var options = TorchTraining.CropSchedule(read, new ClickTrainingOptions
        {
            Network = config, PretrainedBackbone = TorchTraining.PretrainedFile(config),
            CheckpointEvery = read.Int("checkpointEvery", 0, 1_000_000), CheckpointFolder = Path.Combine(outDir, "checkpoints", modelName),
            ResumeFrom = read.OptionalText("resume") is { } resume ? Path.GetFullPath(resume) : null, ValidationEvery = read.Int("validationEvery", 1, 1_000_000),
            StartFrom = startFrom,
        });
        if (options.ResumeFrom is { } from && !Directory.Exists(from)) throw read.Refuse("resume", $"'{from}' is not a checkpoint folder", "a checkpoint folder");
        var (device, threads) = TorchTraining.Device(read);
        using var _ = threads;
        var (specs, all) = TrainingData.LoadAll(request, request.Data, "data", progress);
        var (samples, heldOut) = TorchTraining.HoldOut(all, validationShare, options.Seed);
        if (heldOut.Count > 0) progress?.Report(TrainingProgress.ForNote($"{heldOut.Count} of {all.Count} samples held out for validation: {string.Join(", ", heldOut.Select(h => h.Name).Take(8))}{(heldOut.Count > 8 ? ", …" : "")}"));

        var started = DateTime.UtcNow;
        progress?.Report(TrainingProgress.ForNote($"training {modelName} ({config.ToJson()}) on {device.type}, {options.Iterations} iterations of {options.BatchSize} crops {options.CropSize}px"
            + (options.ResumeFrom is null ? "" : $", resuming from {options.ResumeFrom}")));
        var trainer = new ClickTrainer(options, device);
        ClickNetwork network;
        try
        {
            network = trainer.Train(samples, heldOut, TorchTraining.Relay<ClickTrainer.Progress>(progress, p => p.Note is { } note ? TrainingProgress.ForNote(note) : new TrainingProgress("training", p.Iteration, p.Total, p.Loss)
            {
                Elapsed = p.Elapsed, Remaining = p.Remaining, Milestone = p.ValidationIou is not null || p.Checkpoint is not null, Detail = Milestone(p),
            }), ct);
        }
        catch (TrainingCheckpointException e) { throw read.Refuse("resume", e.Message, "a checkpoint of this run"); }
        ct.ThrowIfCancellationRequested();

        // A click network's file carries CGAM's θ₀; a guide has no clicks to refine.
        var cgamStart = config.InputChannels == 5 ? Brs.CgamRefiner.NewStart(config.AsppChannels, options.Seed) : null;
        var record = TrainingOutput.NewRecord(request, specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
        TorchTraining.RecordBackbone(record, options.PretrainedBackbone);
        TorchTraining.RecordResume(record, trainer.ResumedFrom, trainer.TrainingSeconds);
        if (startFrom is not null)
            record["startFrom"] = new System.Text.Json.Nodes.JsonObject { ["file"] = Path.GetFileName(startFrom), ["sha256"] = TrainingOutput.Sha256(startFrom) };
        TorchTraining.RecordCurve(record, trainer.Curve, heldOut, outDir, modelName);
        var (weights, sha) = TrainingOutput.SaveWeights(outDir, modelName, network, cgamStart, record);
        var manifests = WriteManifests(outDir, modelName, weights, sha, config, request.Command);
        progress?.Report(TrainingProgress.ForNote($"wrote {weights} (sha256 {sha}) and {string.Join(", ", manifests.Select(Path.GetFileName))} in {outDir}"));
        return TrainingOutput.Outcome(outDir, modelName, manifests, started);
    }

    /// <summary>The guide's own network shape with this family's input channels; a shape option given beside it is refused.</summary>
    private ClickNetworkConfig GuideConfig(TrainingOptionReader read, string guidePath)
    {
        foreach (var shape in TorchTraining.NetworkShape)
            if (read.Given(shape.Name)) throw read.Refuse(shape.Name, $"cannot be given with {read.Spell("startFrom")}: the network takes the guide's shape", "the guide's shape");
        ClickNetworkConfig guide;
        try { guide = ClickModelWeights.ReadConfig(guidePath); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { throw read.Refuse("startFrom", $"'{guidePath}': {e.Message}", StartFromOption.Allowed); }
        if (guide.InputChannels != 3 || guide.RefineInputs is not null)
            throw read.Refuse("startFrom", $"'{guidePath}' is not a guide network (it reads {guide.InputChannels} channels)", StartFromOption.Allowed);
        return guide with { InputChannels = InputChannels };
    }

    /// <summary>"held-out IoU 0.812 checkpoint …" for an iteration that measured or saved, else null.</summary>
    private static string? Milestone(ClickTrainer.Progress p)
    {
        string?[] parts = [p.ValidationIou is { } iou ? FormattableString.Invariant($"held-out IoU {iou:F3}") : null, p.Checkpoint is { } c ? $"checkpoint {c}" : null];
        return parts.Any(part => part is not null) ? string.Join(" ", parts.OfType<string>()) : null;
    }
}
