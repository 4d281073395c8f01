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
        var schedule = TorchTraining.CropSchedule(read, new RefineTrainingOptions());
        guidePath = Path.GetFullPath(guidePath);
        if (!File.Exists(guidePath)) throw read.Refuse("guideWeights", $"'{guidePath}' does not exist", "a guide network's .safetensors");
        var (device, threads) = TorchTraining.Device(read);
        using var _ = threads;

        ClickNetwork guide;
        try { guide = ClickModelWeights.Load(guidePath).Network; }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException) { throw read.Refuse("guideWeights", $"'{guidePath}' do not load: {e.Message}", "a guide network's .safetensors"); }
        if (guide.Config.InputChannels != 3 || guide.Config.RefineInputs is not null)
            throw read.Refuse("guideWeights", $"'{guidePath}' are not a guide network (3 input channels)", "a guide network's .safetensors");

        var (specs, samples) = TrainingData.LoadAll(request, request.Data, "data", progress);
        var options = schedule with { Network = guide.Config with { RefineInputs = inputs, InputChannels = ClickNetworkConfig.RefineChannels(inputs) } };
        var started = DateTime.UtcNow;
        progress?.Report(TrainingProgress.ForNote($"training RefineNet {modelName} ({inputs}) from guide {Path.GetFileName(guidePath)} on {device.type}, {options.Iterations} iterations of {options.BatchSize} crops {options.CropSize}px"));
        var network = new RefineTrainer(options, device).Train(samples, guide, RobotScribbles,
            TorchTraining.Relay<RefineTrainer.Progress>(progress, p => new TrainingProgress("training", p.Iteration, p.Total, p.Loss) { Elapsed = p.Elapsed }), ct);
        ct.ThrowIfCancellationRequested();

        var outDir = Path.GetFullPath(request.Output);
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var guideRelative = "weights/" + Path.GetFileName(guidePath);
        var guideCopy = Path.Combine(outDir, guideRelative);
        if (!string.Equals(Path.GetFullPath(guideCopy), guidePath, StringComparison.Ordinal)) File.Copy(guidePath, guideCopy, overwrite: true);
        var guideSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(guideCopy)));
        var record = TrainingOutput.NewRecord(request, specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
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

    /// <summary>The eval harness's scribble robot (DeepScribble §2.2.3) as the trainer's correction-scribble source.</summary>
    private static byte[]? RobotScribbles(byte[] prediction, byte[] truth, byte[]? labelled, int width, int height)
        => ScribbleRobot.Propose(new Mask(width, height, prediction), GroundTruth.FromMask(new Mask(width, height, truth)), labelled);
}
