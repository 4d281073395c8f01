using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Eval.Data;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Training;
using SegBridge.Models.Torch.Volumes;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge train --family mem3d --data DIR --image-pattern GLOB --label-pattern GLOB [--cases N]`: trains f_In,
/// f_Mem and f_QA on the first N case folders (sorted by name; default all but the last, which is held out for
/// eval) and writes OUT/weights/NAME.safetensors, NAME.training.json and the manifest OUT/NAME.json.
/// </summary>
internal static class Mem3DTraining
{
    public static int Run(string[] data, string imagePattern, string labelPattern, int? caseCount, string output, string modelName,
        int interactionIterations, int memoryIterations, int batch, double lr, int seed, int threads, int sliceSize, int roiSize, int channels, CancellationToken ct)
    {
        if (data.Length != 1) throw new CommandException($"--family mem3d takes one --data folder of case folders; got {data.Length}");
        TrainCommand.Check(interactionIterations, 1, 1_000_000, "--iterations");
        TrainCommand.Check(memoryIterations, 1, 1_000_000, "--memory-iterations");
        TrainCommand.Check(batch, 2, 256, "--batch");
        TrainCommand.Check(threads, 0, 1024, "--threads");
        if (!(lr is > 0 and <= 1)) throw new CommandException($"--lr is {lr}; allowed range is (0, 1]");
        var config = new Mem3DConfig { SliceSize = sliceSize, RoiSize = roiSize, Channels = channels };
        try { config.Validate(); } catch (ArgumentException e) { throw new CommandException("--" + e.Message); }

        IReadOnlyList<VolumeDataset.Case> all;
        try { all = VolumeDataset.List(Path.GetFullPath(data[0]), imagePattern, labelPattern, m => Console.Error.WriteLine("segbridge: skipped " + m)); }
        catch (DirectoryNotFoundException e) { throw new CommandException(e.Message); }
        if (all.Count == 0) throw new CommandException($"no case folder under {data[0]} has one file matching '{imagePattern}' and one matching '{labelPattern}'");
        int n = caseCount ?? Math.Max(1, all.Count - 1);
        TrainCommand.Check(n, 1, all.Count, "--cases");
        var chosen = all.Take(n).ToList();

        TorchRuntime.Threads = threads;
        var device = TorchRuntime.Device ?? throw new CommandException(TorchRuntime.Problem!);
        var cases = chosen.Select(c => { var image = c.LoadImage(); return new Mem3DTrainingCase(c.Name, image, c.LoadTruth(image)); }).ToList();
        var options = new Mem3DTrainingOptions
        {
            Network = config, InteractionIterations = interactionIterations, MemoryIterations = memoryIterations,
            InteractionBatch = batch, MemoryBatch = Math.Max(2, batch / 2), LearningRate = lr, Seed = seed,
        };
        var started = DateTime.UtcNow;
        Console.Error.WriteLine($"segbridge: training Mem3D {modelName} ({config.ToJson()}) on {device.type} with {torch_threads()} thread(s), cases {string.Join(", ", chosen.Select(c => c.Name))}");
        var network = new Mem3DTrainer(options, device).Train(cases, new Progress<Mem3DTrainer.Progress>(p =>
        {
            if (p.Iteration % 20 == 0 || p.Iteration == p.Total)
                Console.Error.WriteLine(FormattableString.Invariant($"segbridge: {p.Stage} iteration {p.Iteration}/{p.Total} loss {p.Loss:F4}{(double.IsNaN(p.QualityError) ? "" : $" |IoU error| {p.QualityError:F3}")} ({p.Elapsed.TotalMinutes:F1} min)"));
        }), ct);

        var outDir = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var weightsRelative = $"weights/{modelName}.safetensors";
        var weightsPath = Path.Combine(outDir, weightsRelative);
        var record = new JsonObject
        {
            ["command"] = "segbridge " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)),
            ["data"] = Path.GetFullPath(data[0]),
            ["trainingCases"] = new JsonArray(chosen.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()),
            ["heldOutCases"] = new JsonArray(all.Skip(n).Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()),
            ["imagePattern"] = imagePattern, ["labelPattern"] = labelPattern,
            ["seed"] = seed,
            ["options"] = JsonSerializer.SerializeToNode(options),
            ["device"] = device.type.ToString(),
            ["threads"] = torch_threads(),
            ["startedUtc"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["minutes"] = Math.Round((DateTime.UtcNow - started).TotalMinutes, 1),
        };
        Mem3DWeights.Save(weightsPath, network, new Dictionary<string, string> { ["segbridge.training"] = record.ToJsonString() }, halfPrecision: true);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weightsPath)));
        record["weights"] = weightsRelative;
        record["sha256"] = sha;
        File.WriteAllText(Path.Combine(outDir, "weights", modelName + ".training.json"), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

        var manifest = new JsonObject
        {
            ["$schema"] = "./manifest.schema.json", ["id"] = modelName,
            ["name"] = "Mem3D: quality-aware memory network (f_In + f_Mem + f_QA), BraTS FLAIR tumour",
            ["family"] = "torch/mem3d", ["dimensions"] = "3d",
            ["interactions"] = new JsonArray("scribble", "box", "click", "labels"),
            ["parameters"] = new JsonObject { ["memoryEvery"] = 5 },
            ["weights"] = TrainCommand.WeightsEntry(weightsRelative, sha),
            ["licence"] = "Apache-2.0 (SegBridge); weights trained on BraTS 2013/2015 (CC BY-NC-SA 3.0): non-commercial research use",
            ["paper"] = "Zhou et al., Quality-Aware Memory Network for Interactive Volumetric Image Segmentation (Mem3D), MICCAI 2021",
            ["description"] = $"Clicks are extreme points (a run of positive clicks), boxes and scribbles are f_In guidance; volumes/propagate runs f_Mem + f_QA. Trained by: {record["command"]!.GetValue<string>()}",
        };
        File.WriteAllText(Path.Combine(outDir, $"{modelName}.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        Console.Error.WriteLine($"segbridge: wrote {weightsPath} (sha256 {sha}) and manifest {modelName}.json");
        return 0;
    }

    private static int torch_threads() => TorchSharp.torch.get_num_threads();

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or '\'' or '"') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;
}
