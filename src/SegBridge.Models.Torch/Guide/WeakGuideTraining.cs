using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Models.Training;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Guide;

/// <summary>
/// `train --family weak-guide` (Ciga et al. 2021): a seeded mask share of the data samples and (with another
/// seed) of the class-data samples keep their masks and feed the pixel-level steps; every class-data sample feeds
/// the image-level steps with its file-name class (all of them carry that label), unless noClassLoss. Writes one
/// torch/guide manifest; the classification head is training-only.
/// </summary>
public sealed class WeakGuideTraining : IModelTrainer
{
    public string Family => "weak-guide";
    public string Description => "a guide from a share of masks plus image-level class labels (Ciga et al. 2021)";
    public bool TakesClassData => true;

    public IReadOnlyList<TrainingOption> Options { get; } =
    [
        TorchTraining.Iterations(2000), TorchTraining.Batch(), TorchTraining.Crop(256), TorchTraining.LearningRate(5e-4),
        TorchTraining.Seed, TorchTraining.Threads, .. TorchTraining.NetworkShape,
        new("maskShare", "Share of the data samples and of the class-data samples that keep their masks (seeded); the rest of the data is dropped, the class data keep their labels", "1", "(0, 1]"),
        new("classWeight", "Weight of the image-level cross-entropy", "1", "(0, 10]"),
        new("noClassLoss", "No image-level steps: train on the masked share alone (the paper's S baseline)", "false", "true, false") { IsSwitch = true },
    ];

    public TrainingOutcome Train(TrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var read = new TrainingOptionReader(request, Options);
        string S(string name) => read.Spell(name);
        var maskShare = read.Double("maskShare", v => v is > 0 and <= 1, "(0, 1]");
        var classWeight = read.Double("classWeight", v => v is > 0 and <= 10, "(0, 10]");
        var classLoss = !read.Switch("noClassLoss");
        if (read.Given("classWeight") && !classLoss)
            throw new TrainingOptionException("classWeight", $"{S("classWeight")} and {S("noClassLoss")} exclude each other", "one of them");
        if (request.ClassData.Count == 0 && classLoss)
            throw new TrainingOptionException("classData", $"{S("classData")} is required for {S("family")} weak-guide (image-level samples named CLASS_rest), unless {S("noClassLoss")}", "folders of images named CLASS_rest");
        if (request.ClassData.Count == 0 && request.Data.Count == 0)
            throw new TrainingOptionException("data", $"{S("data")} or {S("classData")} is required: at least one training folder", "DIR[:pattern=GLOB][:class=ID][:alternate=even|odd]");
        var modelName = TorchTraining.ModelName(request);
        var config = TorchTraining.Network(read, inputChannels: 3);
        var options = TorchTraining.CropSchedule(read, new WeakGuideTrainingOptions { Network = config, ClassLossWeight = classWeight, PretrainedBackbone = TorchTraining.PretrainedFile(config) });
        var (device, threads) = TorchTraining.Device(read);
        using var _ = threads;

        var (specs, samples) = TrainingData.LoadAll(request, request.Data, "data", progress);
        var (classSpecs, classSamples) = TrainingData.LoadAll(request, request.ClassData, "classData", progress, "image-level samples");
        IReadOnlyList<string> classes = [];
        int[] classIndex = [];
        if (classSamples.Count > 0)
        {
            try { (classes, classIndex) = WeakLabels.Classes(classSamples.Select(s => s.Name).ToList()); }
            catch (ArgumentException e) { throw new TrainingOptionException("classData", $"{S("classData")}: {e.Message}", "images named CLASS_rest"); }
        }
        var keepData = WeakLabels.MaskedShare(samples.Count, maskShare, options.Seed);
        var keepClass = WeakLabels.MaskedShare(classSamples.Count, maskShare, options.Seed + 1);
        var masked = samples.Where((_, i) => keepData[i]).Concat(classSamples.Where((_, i) => keepClass[i])).ToList();
        var labelled = classLoss ? classSamples.Select((s, i) => new ClassSample(s.Name, s.Image, classIndex[i])).ToList() : [];
        progress?.Report(TrainingProgress.ForNote(
            $"pixel-level steps on {masked.Count} masked samples ({keepData.Count(k => k)} of {samples.Count} from {S("data")}, {keepClass.Count(k => k)} of {classSamples.Count} from {S("classData")}); "
            + (labelled.Count > 0 ? $"image-level steps on {labelled.Count} samples of {classes.Count} classes ({string.Join(", ", classes)})" : "no image-level steps")));

        var started = DateTime.UtcNow;
        var (network, _) = new WeakGuideTrainer(options, device).Train(masked, labelled, classes.Count,
            TorchTraining.Relay<WeakGuideTrainer.Progress>(progress, p => new TrainingProgress("training", p.Iteration, p.Total, p.SegmentationLoss)
            {
                Elapsed = p.Elapsed, Detail = labelled.Count > 0 ? FormattableString.Invariant($"class loss {p.ClassLoss:F4}") : null,
            }), ct);
        ct.ThrowIfCancellationRequested();

        var outDir = Path.GetFullPath(request.Output);
        var record = TrainingOutput.NewRecord(request, specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
        TorchTraining.RecordBackbone(record, options.PretrainedBackbone);
        record["classData"] = new JsonArray(classSpecs.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray());
        record["classes"] = new JsonArray(classes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        record["maskShare"] = maskShare;
        record["classLoss"] = classLoss;
        record["maskedSamples"] = new JsonArray(masked.Select(s => (JsonNode?)JsonValue.Create(s.Name)).ToArray());
        record["imageLevelSamples"] = labelled.Count;
        record["head"] = "the classification head is training-only and not saved; the weights are the segmentation network alone";
        var (weights, sha) = TrainingOutput.SaveWeights(outDir, modelName, network, null, record);
        var manifest = TrainingOutput.WriteManifest(outDir, modelName, $"Weakly supervised guide network, DeepLabV3+ ResNet-{config.Depth} on the image alone", GuideFamily.Id, "guide",
            interactions: null, new JsonObject { ["maxSide"] = 400, ["className"] = "Epithelium" }, TrainingOutput.WeightsEntry(weights, sha),
            "Ciga et al., Learning to segment images with classification labels (MedIA 2021): weakly supervised guide", request.Command);
        progress?.Report(TrainingProgress.ForNote($"wrote {weights} (sha256 {sha}) and manifest {modelName}.json in {outDir}"));
        return TrainingOutput.Outcome(outDir, modelName, [manifest], started);
    }
}
