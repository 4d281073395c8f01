using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using SegBridge.Models.Torch.Weights;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge train --family deepscribble`: RefineNet on a trained guide network, with the eval harness's
/// scribble robot generating the correction scribbles. Writes the refinement weights, their training record, a
/// copy of the guide beside them when it lives elsewhere, and one manifest (family torch/deepscribble) naming
/// both files.
/// </summary>
internal static class DeepScribbleTraining
{
    public static int Run(string? guidePath, string inputs, string[] data, string output, string modelName, int iterations, int batch, int crop, double lr, int seed, int threads, CancellationToken ct)
    {
        if (guidePath is null) throw new CommandException("--guide-weights is required for --family deepscribble (the GuideNet .safetensors, e.g. plugin-manifests/weights/guide-hist.safetensors)");
        if (!ClickNetworkConfig.RefineInputSets.Contains(inputs)) throw new CommandException($"--inputs is '{inputs}'; allowed: {string.Join(", ", ClickNetworkConfig.RefineInputSets)}");
        // --iterations, --batch, --crop, --threads and --lr are checked by TrainCommand for every family.
        guidePath = Path.GetFullPath(guidePath);
        if (!File.Exists(guidePath)) throw new CommandException($"--guide-weights '{guidePath}' does not exist");

        TorchRuntime.Threads = threads;
        var device = TorchRuntime.Device ?? throw new CommandException(TorchRuntime.Problem!);
        ClickNetwork guide;
        try { guide = ClickModelWeights.Load(guidePath).Network; }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException) { throw new CommandException($"--guide-weights '{guidePath}' do not load: {e.Message}"); }
        if (guide.Config.InputChannels != 3 || guide.Config.RefineInputs is not null) throw new CommandException($"--guide-weights '{guidePath}' are not a guide network (3 input channels)");

        var (specs, samples) = TrainingData.LoadAll(data);
        var options = new RefineTrainingOptions
        {
            Network = guide.Config with { RefineInputs = inputs, InputChannels = ClickNetworkConfig.RefineChannels(inputs) },
            Iterations = iterations, BatchSize = batch, CropSize = crop, LearningRate = lr, Seed = seed,
        };
        var started = DateTime.UtcNow;
        Console.Error.WriteLine($"segbridge: training RefineNet {modelName} ({inputs}) from guide {Path.GetFileName(guidePath)} on {device.type}, {iterations} iterations of {batch} crops {crop}px");
        var network = new RefineTrainer(options, device).Train(samples, guide, RobotScribbles, new Progress<RefineTrainer.Progress>(p =>
        {
            if (p.Iteration % 20 == 0 || p.Iteration == p.Total)
                Console.Error.WriteLine(FormattableString.Invariant($"segbridge: iteration {p.Iteration}/{p.Total} loss {p.Loss:F4} ({p.Elapsed.TotalMinutes:F1} min)"));
        }), ct);

        var outDir = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var guideRelative = "weights/" + Path.GetFileName(guidePath);
        var guideCopy = Path.Combine(outDir, guideRelative);
        if (!string.Equals(Path.GetFullPath(guideCopy), guidePath, StringComparison.Ordinal)) File.Copy(guidePath, guideCopy, overwrite: true);
        var guideSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(guideCopy)));
        var record = TrainCommand.NewRecord(specs, samples.Count, seed, JsonSerializer.SerializeToNode(options), device, started);
        record["guide"] = new JsonObject { ["weights"] = guideRelative, ["sha256"] = guideSha };
        var (_, sha) = TrainCommand.SaveWeights(outDir, modelName, network, null, null, record);
        TrainCommand.WriteManifestFile(outDir, modelName, $"DeepScribble, GuideNet + RefineNet ({inputs}), DeepLabV3+ ResNet-{guide.Config.Depth}", "torch/deepscribble",
            role: null, new JsonArray("scribble", "labels", "click"), new JsonObject { ["maxSide"] = 400 },
            TrainCommand.WeightsEntry(guideRelative, guideSha, $"weights/{modelName}.safetensors", sha),
            "DeepScribble: Interactive Pathology Image Segmentation with Deep Neural Networks (GuideNet + RefineNet)", record["command"]!.GetValue<string>());
        Console.Error.WriteLine($"segbridge: wrote weights/{modelName}.safetensors (sha256 {sha}) and manifest {modelName}.json in {outDir}");
        return 0;
    }

    /// <summary>The eval harness's scribble robot (DeepScribble §2.2.3) as the trainer's correction-scribble source.</summary>
    private static byte[]? RobotScribbles(byte[] prediction, byte[] truth, byte[]? labelled, int width, int height)
        => ScribbleRobot.Propose(new Mask(width, height, prediction), GroundTruth.FromMask(new Mask(width, height, truth)), labelled);
}
