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
        int interactionIterations, int memoryIterations, int qualityIterations, int qualityPropagations, int batch, double lr, int seed, int threads, int sliceSize, int roiSize, int channels, CancellationToken ct)
    {
        if (data.Length != 1) throw new CommandException($"--family mem3d takes one --data folder of case folders; got {data.Length}");
        // --iterations, --batch, --threads and --lr are checked by TrainCommand for every family.
        TrainCommand.Check(memoryIterations, 1, 1_000_000, "--memory-iterations");
        TrainCommand.Check(qualityIterations, 0, 1_000_000, "--quality-iterations");
        TrainCommand.Check(qualityPropagations, 1, 10_000, "--quality-propagations");
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
            QualityIterations = qualityIterations, QualityPropagations = qualityPropagations,
            InteractionBatch = batch, MemoryBatch = Math.Max(2, batch / 2), LearningRate = lr, Seed = seed,
        };
        var started = DateTime.UtcNow;
        Console.Error.WriteLine($"segbridge: training Mem3D {modelName} ({config.ToJson()}) on {device.type} with {TorchSharp.torch.get_num_threads()} thread(s), cases {string.Join(", ", chosen.Select(c => c.Name))}");
        var network = new Mem3DTrainer(options, device).Train(cases, new Progress<Mem3DTrainer.Progress>(p =>
        {
            if (p.Iteration % 20 == 0 || p.Iteration == p.Total)
                Console.Error.WriteLine(FormattableString.Invariant($"segbridge: {p.Stage} {p.Iteration}/{p.Total}{(double.IsNaN(p.Loss) ? "" : $" loss {p.Loss:F4}")}{(double.IsNaN(p.QualityError) ? "" : $" |IoU error| {p.QualityError:F3}")} ({p.Elapsed.TotalMinutes:F1} min)"));
        }), ct);

        var outDir = Path.GetFullPath(output);
        var record = TrainCommand.NewRecord(Path.GetFullPath(data[0]), samples: null, seed, JsonSerializer.SerializeToNode(options), device, started);
        record["trainingCases"] = new JsonArray(chosen.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray());
        record["heldOutCases"] = new JsonArray(all.Skip(n).Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray());
        record["imagePattern"] = imagePattern;
        record["labelPattern"] = labelPattern;
        var (weightsRelative, sha) = TrainCommand.SaveWeights(outDir, modelName, (path, provenance) => Mem3DWeights.Save(path, network, provenance, halfPrecision: true), record);
        TrainCommand.WriteManifestFile(outDir, modelName, "Mem3D: quality-aware memory network (f_In + f_Mem + f_QA), BraTS FLAIR tumour", "torch/mem3d", role: null,
            new JsonArray("extremePoints", "box", "scribble", "click", "labels"), new JsonObject { ["memoryEvery"] = 5 }, TrainCommand.WeightsEntry(weightsRelative, sha),
            "Zhou et al., Quality-Aware Memory Network for Interactive Volumetric Image Segmentation (Mem3D), MICCAI 2021", record["command"]!.GetValue<string>(),
            dimensions: "3d", licence: "Apache-2.0 (SegBridge); weights trained on BraTS 2013/2015 (CC BY-NC-SA 3.0): non-commercial research use",
            usage: "Extreme points, boxes and positive scribbles are f_In guidance (a run of positive clicks counts as extreme points); volumes/propagate runs f_Mem + f_QA.");
        Console.Error.WriteLine($"segbridge: wrote {Path.Combine(outDir, weightsRelative)} (sha256 {sha}) and manifest {modelName}.json");
        return 0;
    }
}
