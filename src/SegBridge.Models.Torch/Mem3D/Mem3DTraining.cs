using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Eval.Data;
using SegBridge.Models.Training;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// `train --family mem3d --data DIR --image-pattern GLOB --label-pattern GLOB [--cases N]`: trains f_In, f_Mem and
/// f_QA on the first N case folders (sorted by name; default all but the last, which is held out for eval) and
/// writes OUT/weights/NAME.safetensors, NAME.training.json and the 3-D manifest OUT/NAME.json.
/// </summary>
public sealed class Mem3DTraining : IModelTrainer
{
    public string Family => "mem3d";
    public string Description => "Mem3D (f_In + f_Mem + f_QA) on a folder of volume case folders";

    public IReadOnlyList<TrainingOption> Options { get; } =
    [
        TorchTraining.Iterations(2000, "f_In iterations (stage 1)"), TorchTraining.Batch(), TorchTraining.LearningRate(5e-4), TorchTraining.Seed, TorchTraining.Threads,
        new("imagePattern", "Glob of the image volume in each case folder", "Flair*", "a file-name glob"),
        new("labelPattern", "Glob of the label volume in each case folder (object = label > 0)", "OTMultiClass*", "a file-name glob"),
        new("cases", "Train on the first N case folders (sorted by name); default all but the last (held out)", null, "[1, number of case folders]"),
        new("memoryIterations", "f_Mem + f_QA iterations (stage 2)", "400", "[1, 1000000]"),
        new("qualityIterations", "f_QA iterations on whole propagations (stage 3; 0: none)", "300", "[0, 1000000]"),
        new("qualityPropagations", "Whole-volume propagations stage 3 learns from", "24", "[1, 10000]"),
        new("sliceSize", "Slices are resized to this size for f_Mem", "128", "a multiple of 8, at least 32"),
        new("roiSize", "f_In's ROI is resized to this size", "96", "a multiple of 8, at least 32"),
        new("channels", "Encoder channels C (keys C/8, values C/2)", "64", "a multiple of 16, at least 16 (at most 128 with the ImageNet backbone)"),
        new("backbone", $"f_Mem's query and memory encoders: {ImageNetResNet18.Id} = the ImageNet ResNet-18's stem, layer1 and layer2 (grey slice as three channels, the mask through a zero-started convolution), projected to C; none = the small encoders trained from scratch (the shipped mem3d-brats layout). f_In is the small network in both",
            ImageNetResNet18.Id, string.Join(", ", Backbones)),
    ];

    private static readonly string[] Backbones = [ImageNetResNet18.Id, "none"];

    public TrainingOutcome Train(TrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var read = new TrainingOptionReader(request, Options);
        var modelName = TorchTraining.ModelName(request);
        if (request.Data.Count != 1)
            throw new TrainingOptionException("data", $"{read.Spell("family")} mem3d takes one {read.Spell("data")} folder of case folders; got {request.Data.Count}", "one folder of case folders");
        var interactionIterations = read.Int("iterations", 1, 1_000_000);
        var batch = read.Int("batch", 2, 256);
        var lr = TorchTraining.LearningRateOf(read);
        var seed = read.Int("seed", int.MinValue, int.MaxValue);
        var memoryIterations = read.Int("memoryIterations", 1, 1_000_000);
        var qualityIterations = read.Int("qualityIterations", 0, 1_000_000);
        var qualityPropagations = read.Int("qualityPropagations", 1, 10_000);
        var backbone = read.Text("backbone");
        if (!Backbones.Contains(backbone)) throw read.Refuse("backbone", $"is '{backbone}'; allowed: {string.Join(", ", Backbones)}", string.Join(", ", Backbones));
        var config = new Mem3DConfig
        {
            SliceSize = read.Int("sliceSize", 1, 100_000), RoiSize = read.Int("roiSize", 1, 100_000), Channels = read.Int("channels", 1, 100_000),
            Backbone = backbone == ImageNetResNet18.Id ? backbone : null,
        };
        TorchTraining.Validated(read, config.Validate);
        var pretrained = PretrainedFile(config);
        string imagePattern = read.Text("imagePattern"), labelPattern = read.Text("labelPattern");

        var folder = Path.GetFullPath(request.Data[0]);
        IReadOnlyList<VolumeDataset.Case> all;
        try { all = VolumeDataset.List(folder, imagePattern, labelPattern, m => progress?.Report(TrainingProgress.ForNote("skipped " + m))); }
        catch (DirectoryNotFoundException e) { throw new TrainingOptionException("data", $"{read.Spell("data")}: {e.Message}", "a folder of case folders"); }
        if (all.Count == 0)
            throw new TrainingOptionException("data", $"no case folder under {request.Data[0]} has one file matching '{imagePattern}' and one matching '{labelPattern}'", "a folder of case folders");
        int n = read.OptionalInt("cases", 1, all.Count) ?? Math.Max(1, all.Count - 1);
        var chosen = all.Take(n).ToList();
        var (device, threads) = TorchTraining.Device(read);
        using var _ = threads;

        var cases = chosen.Select(c => { var image = c.LoadImage(); return new Mem3DTrainingCase(c.Name, image, c.LoadTruth(image)); }).ToList();
        var options = new Mem3DTrainingOptions
        {
            Network = config, InteractionIterations = interactionIterations, MemoryIterations = memoryIterations,
            QualityIterations = qualityIterations, QualityPropagations = qualityPropagations,
            InteractionBatch = batch, MemoryBatch = Math.Max(2, batch / 2), LearningRate = lr, Seed = seed, PretrainedBackbone = pretrained,
        };
        var started = DateTime.UtcNow;
        progress?.Report(TrainingProgress.ForNote($"training Mem3D {modelName} ({config.ToJson()}) on {device.type} with {TorchSharp.torch.get_num_threads()} thread(s), cases {string.Join(", ", chosen.Select(c => c.Name))}"));
        var network = new Mem3DTrainer(options, device).Train(cases, TorchTraining.Relay<Mem3DTrainer.Progress>(progress, p =>
            new TrainingProgress(p.Stage, p.Iteration, p.Total, double.IsNaN(p.Loss) ? null : p.Loss)
            {
                Elapsed = p.Elapsed, Detail = double.IsNaN(p.QualityError) ? null : FormattableString.Invariant($"|IoU error| {p.QualityError:F3}"),
            }), ct);
        ct.ThrowIfCancellationRequested();

        var outDir = Path.GetFullPath(request.Output);
        var record = TrainingOutput.NewRecord(request, folder, samples: null, seed, JsonSerializer.SerializeToNode(options), device, started);
        record["trainingCases"] = new JsonArray(chosen.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray());
        record["heldOutCases"] = new JsonArray(all.Skip(n).Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray());
        record["imagePattern"] = imagePattern;
        record["labelPattern"] = labelPattern;
        TorchTraining.RecordBackbone(record, pretrained);
        var (weights, sha) = TrainingOutput.SaveWeights(outDir, modelName, (path, provenance) => Mem3DWeights.Save(path, network, provenance, halfPrecision: true), record);
        var manifest = TrainingOutput.WriteManifest(outDir, modelName, "Mem3D: quality-aware memory network (f_In + f_Mem + f_QA), BraTS FLAIR tumour", Mem3DFamily.Id, role: null,
            new JsonArray("extremePoints", "box", "scribble", "click", "labels"), new JsonObject { ["memoryEvery"] = 5 }, TrainingOutput.WeightsEntry(weights, sha),
            "Zhou et al., Quality-Aware Memory Network for Interactive Volumetric Image Segmentation (Mem3D), MICCAI 2021", request.Command,
            dimensions: "3d", licence: "Apache-2.0 (SegBridge); weights trained on BraTS 2013/2015 (CC BY-NC-SA 3.0): non-commercial research use",
            usage: "Extreme points, boxes and positive scribbles are f_In guidance (a run of positive clicks counts as extreme points); volumes/propagate runs f_Mem + f_QA.");
        progress?.Report(TrainingProgress.ForNote($"wrote {Path.Combine(outDir, weights)} (sha256 {sha}) and manifest {modelName}.json"));
        return TrainingOutput.Outcome(outDir, modelName, [manifest], started);
    }

    /// <summary>The ImageNet ResNet-18's file for the imagenet-resnet18 layout (null for none), checked before any data is loaded.</summary>
    private static string? PretrainedFile(Mem3DConfig config)
    {
        if (config.Backbone is not ImageNetResNet18.Id) return null;
        var path = ImageNetResNet18.DefaultPath;
        if (!File.Exists(path)) throw new InvalidOperationException($"the ImageNet ResNet-18 is not at {path}: rebuild SegBridge (it comes with the NuGet restore), or train with --backbone none");
        return path;
    }
}
