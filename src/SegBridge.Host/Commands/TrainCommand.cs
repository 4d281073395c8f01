using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using SegBridge.Models.Torch.Weights;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge train --family brs-click`: trains the base click network on image/mask folders and writes the
/// weights (safetensors), a training record (command, data, seed, options, sha256) and one manifest per
/// refinement method (none, f-BRS, G-BRS, CGAM) that all share those weights. `--family guide` trains an
/// image-only guide network; `--family weak-guide` trains one from a masked share of the data plus image-level
/// class labels (<see cref="WeakGuideTrainer"/>); both write one <c>torch/guide</c> manifest.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var family = new Option<string>("--family") { Description = "What to train: brs-click (the CGAM paper's base click network), guide (an image-only guide network, DeepScribble's GuideNet role), weak-guide (a guide from a share of masks plus image-level class labels, Ciga et al. 2021), deepscribble (RefineNet on a trained guide) or mem3d (Mem3D on a folder of volume case folders)", Required = true };
        var data = new Option<string[]>("--data") { Description = "Training folder DIR[:pattern=GLOB][:class=ID][:alternate=even|odd] with images/ and masks/ (repeatable; required except for weak-guide with --class-data)" };
        var classData = new Option<string[]>("--class-data") { Description = "weak-guide: folder (same syntax as --data) of images named CLASS_rest whose prefix is the image-level label (EBHI: adeno, hgin, lgin, normal, polyp, serrated); its masks are used only for the --mask-share part (repeatable)" };
        var maskShare = new Option<double>("--mask-share") { Description = "weak-guide: share in (0, 1] of the --data samples and of the --class-data samples that keep their masks (seeded); the rest of --data is dropped, the class data keep their labels", DefaultValueFactory = _ => 1.0 };
        var classWeight = new Option<double>("--class-weight") { Description = "weak-guide: weight in (0, 10] of the image-level cross-entropy", DefaultValueFactory = _ => 1.0 };
        var noClassLoss = new Option<bool>("--no-class-loss") { Description = "weak-guide: no image-level steps; train on the masked share alone (the paper's S baseline)" };
        var output = new Option<string>("--out") { Description = "Manifest folder: weights go to OUT/weights/NAME.safetensors, manifests to OUT/NAME-METHOD.json", Required = true };
        var name = new Option<string>("--name") { Description = "Model name (file and id prefix)", DefaultValueFactory = _ => "click" };
        var depth = new Option<int>("--depth") { Description = "ResNet depth: 18, 34, 50 or 101", DefaultValueFactory = _ => 18 };
        var width = new Option<int>("--width") { Description = "ResNet stem channels (64 = standard ResNet)", DefaultValueFactory = _ => 32 };
        var aspp = new Option<int>("--aspp-channels") { DefaultValueFactory = _ => 128 };
        var decoder = new Option<int>("--decoder-channels") { DefaultValueFactory = _ => 64 };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 8 };
        var crop = new Option<int>("--crop") { Description = "Training crop size in pixels", DefaultValueFactory = _ => 256 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 5e-4 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = one per core)", DefaultValueFactory = _ => 0 };
        var guideWeights = new Option<string?>("--guide-weights") { Description = "deepscribble: the guide network's .safetensors (GuideNet); RefineNet starts from it and takes its shape" };
        var inputs = new Option<string>("--inputs") { Description = "deepscribble: what RefineNet reads besides the image: I, I+P, I+P+S or I+P+D (the paper's)", DefaultValueFactory = _ => "I+P+D" };
        var imagePattern = new Option<string>("--image-pattern") { Description = "mem3d: glob of the image volume in each case folder", DefaultValueFactory = _ => "Flair*" };
        var labelPattern = new Option<string>("--label-pattern") { Description = "mem3d: glob of the label volume in each case folder (object = label > 0)", DefaultValueFactory = _ => "OTMultiClass*" };
        var cases = new Option<int?>("--cases") { Description = "mem3d: train on the first N case folders (sorted by name); default all but the last (held out)" };
        var memoryIterations = new Option<int>("--memory-iterations") { Description = "mem3d: f_Mem + f_QA iterations (--iterations counts f_In's)", DefaultValueFactory = _ => 400 };
        var qualityIterations = new Option<int>("--quality-iterations") { Description = "mem3d: f_QA iterations on whole propagations, stage 3 (0: none)", DefaultValueFactory = _ => 300 };
        var qualityPropagations = new Option<int>("--quality-propagations") { Description = "mem3d: whole-volume propagations stage 3 learns from", DefaultValueFactory = _ => 24 };
        var sliceSize = new Option<int>("--slice-size") { Description = "mem3d: slices are resized to this size for f_Mem", DefaultValueFactory = _ => 128 };
        var roiSize = new Option<int>("--roi-size") { Description = "mem3d: f_In's ROI is resized to this size", DefaultValueFactory = _ => 96 };
        var channels = new Option<int>("--channels") { Description = "mem3d: encoder channels C (keys C/8, values C/2)", DefaultValueFactory = _ => 64 };
        var command = new Command("train", "Train a model's weights and write its manifests") { family, data, classData, maskShare, classWeight, noClassLoss, output, name, depth, width, aspp, decoder, iterations, batch, crop, lr, seed, threads, guideWeights, inputs, imagePattern, labelPattern, cases, memoryIterations, qualityIterations, qualityPropagations, sliceSize, roiSize, channels };
        command.SetAction((parse, ct) =>
        {
            var familyName = parse.GetValue(family);
            if (familyName is not ("brs-click" or "guide" or "weak-guide" or "deepscribble" or "mem3d")) throw new CommandException($"--family is '{familyName}'; allowed: brs-click, guide, weak-guide, deepscribble, mem3d");
            bool weak = familyName == "weak-guide", guide = familyName == "guide" || weak;
            var weakOptions = WeakOptions.Check(parse.GetResult(classData) is { Implicit: false }, parse.GetValue(classData) ?? [], parse.GetResult(maskShare) is { Implicit: false },
                parse.GetValue(maskShare), parse.GetResult(classWeight) is { Implicit: false }, parse.GetValue(classWeight), parse.GetValue(noClassLoss),
                parse.GetValue(data) is { Length: > 0 }, familyName!);
            var modelName = parse.GetValue(name)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(modelName, "^[a-z0-9][a-z0-9-]{0,40}$")) throw new CommandException($"--name '{modelName}' must be lower-case letters, digits and '-' (at most 41)");
            Check(parse.GetValue(iterations), 1, 1_000_000, "--iterations");
            Check(parse.GetValue(batch), 2, 256, "--batch");
            Check(parse.GetValue(crop), 32, 2048, "--crop");
            if (parse.GetValue(crop) % 16 != 0) throw new CommandException($"--crop is {parse.GetValue(crop)}; it must be a multiple of 16");
            Check(parse.GetValue(threads), 0, 1024, "--threads");
            if (!(parse.GetValue(lr) is > 0 and <= 1)) throw new CommandException($"--lr is {parse.GetValue(lr)}; allowed range is (0, 1]");
            if (familyName == "mem3d")
                return Task.FromResult(Mem3DTraining.Run(parse.GetValue(data)!, parse.GetValue(imagePattern)!, parse.GetValue(labelPattern)!, parse.GetValue(cases), parse.GetValue(output)!, modelName,
                    parse.GetValue(iterations), parse.GetValue(memoryIterations), parse.GetValue(qualityIterations), parse.GetValue(qualityPropagations),
                    parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(sliceSize), parse.GetValue(roiSize), parse.GetValue(channels), ct));
            if (familyName == "deepscribble")
                return Task.FromResult(DeepScribbleTraining.Run(parse.GetValue(guideWeights), parse.GetValue(inputs)!, parse.GetValue(data)!, parse.GetValue(output)!, modelName,
                    parse.GetValue(iterations), parse.GetValue(batch), parse.GetValue(crop), parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(threads), ct));
            var config = new ClickNetworkConfig
            {
                Depth = parse.GetValue(depth), Width = parse.GetValue(width), AsppChannels = parse.GetValue(aspp), DecoderChannels = parse.GetValue(decoder),
                InputChannels = guide ? 3 : 5,
            };
            try { config.Validate(); } catch (ArgumentException e) { throw new CommandException("--" + e.Message); }

            TorchRuntime.Threads = parse.GetValue(threads);
            var device = TorchRuntime.Device ?? throw new CommandException(TorchRuntime.Problem!);
            var (specs, samples) = TrainingData.LoadAll(parse.GetValue(data) ?? []);
            var classSpecs = weakOptions.ClassData.Select(TrainingData.Parse).ToList();

            if (weak)
                return Task.FromResult(TrainWeak(parse.GetValue(output)!, modelName, config, weakOptions, specs, classSpecs, samples, parse.GetValue(iterations), parse.GetValue(batch),
                    parse.GetValue(crop), parse.GetValue(lr), parse.GetValue(seed), device, ct));
            var options = new ClickTrainingOptions
            {
                Network = config, Iterations = parse.GetValue(iterations), BatchSize = parse.GetValue(batch), CropSize = parse.GetValue(crop),
                LearningRate = parse.GetValue(lr), Seed = parse.GetValue(seed),
            };
            var started = DateTime.UtcNow;
            Console.Error.WriteLine($"segbridge: training {modelName} ({config.ToJson()}) on {device.type}, {options.Iterations} iterations of {options.BatchSize} crops {options.CropSize}px");
            var network = new ClickTrainer(options, device).Train(samples, new Progress<ClickTrainer.Progress>(p =>
            {
                if (p.Iteration % 20 == 0 || p.Iteration == p.Total)
                    Console.Error.WriteLine(FormattableString.Invariant($"segbridge: iteration {p.Iteration}/{p.Total} loss {p.Loss:F4} ({p.Elapsed.TotalMinutes:F1} min)"));
            }), ct);

            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            var (wc, wm) = guide ? (null, null) : ClickModelWeights.NewCgamStart(config.AsppChannels, options.Seed);
            var record = NewRecord(specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
            var (weightsRelative, sha) = SaveWeights(outDir, modelName, network, wc, wm, record);
            if (guide)
            {
                WriteGuideManifest(outDir, modelName, weightsRelative, sha, config, record["command"]!.GetValue<string>());
                Console.Error.WriteLine($"segbridge: wrote {weightsRelative} (sha256 {sha}) and manifest {modelName}.json in {outDir}");
            }
            else
            {
                foreach (var method in new[] { "none", "f-brs", "g-brs", "cgam" })
                    WriteManifest(outDir, modelName, method, weightsRelative, sha, config, record["command"]!.GetValue<string>());
                Console.Error.WriteLine($"segbridge: wrote {weightsRelative} (sha256 {sha}) and manifests {modelName}-{{none,f-brs,g-brs,cgam}}.json in {outDir}");
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The weak-guide options after validation; <see cref="Check"/> refuses them for other families.</summary>
    internal sealed record WeakOptions(IReadOnlyList<string> ClassData, double MaskShare, double ClassWeight, bool ClassLoss)
    {
        public static WeakOptions Check(bool classDataGiven, string[] classData, bool shareGiven, double share, bool weightGiven, double weight, bool noClassLoss, bool dataGiven, string family)
        {
            if (family != "weak-guide")
            {
                if (classDataGiven) throw new CommandException($"--class-data is only for --family weak-guide (got --family {family})");
                if (shareGiven) throw new CommandException($"--mask-share is only for --family weak-guide (got --family {family})");
                if (weightGiven) throw new CommandException($"--class-weight is only for --family weak-guide (got --family {family})");
                if (noClassLoss) throw new CommandException($"--no-class-loss is only for --family weak-guide (got --family {family})");
                if (!dataGiven) throw new CommandException("--data is required: at least one training folder");
                return new WeakOptions([], 1, 0, false);
            }
            if (!(share > 0 && share <= 1)) throw new CommandException(FormattableString.Invariant($"--mask-share is {share}; allowed range is (0, 1]"));
            if (!(weight > 0 && weight <= 10)) throw new CommandException(FormattableString.Invariant($"--class-weight is {weight}; allowed range is (0, 10]"));
            if (weightGiven && noClassLoss) throw new CommandException("--class-weight and --no-class-loss exclude each other");
            if (classData.Length == 0 && !noClassLoss) throw new CommandException("--class-data is required for --family weak-guide (image-level samples named CLASS_rest), unless --no-class-loss");
            if (classData.Length == 0 && !dataGiven) throw new CommandException("--data or --class-data is required: at least one training folder");
            return new WeakOptions(classData, share, weight, !noClassLoss);
        }
    }

    /// <summary>
    /// Weak guide: a seeded --mask-share of the --data samples and (with another seed) of the --class-data samples
    /// keep their masks and feed the pixel-level steps; every --class-data sample feeds the image-level steps with
    /// its file-name class (all of them carry that label), unless --no-class-loss.
    /// </summary>
    private static int TrainWeak(string output, string modelName, ClickNetworkConfig config, WeakOptions weak, List<TrainingData.Spec> specs, List<TrainingData.Spec> classSpecs,
        List<TrainingSample> samples, int iterations, int batch, int crop, double lr, int seed, TorchSharp.torch.Device device, CancellationToken ct)
    {
        var classSamples = classSpecs.SelectMany(s =>
        {
            var loaded = TrainingData.Load(s);
            Console.Error.WriteLine($"segbridge: {loaded.Count} image-level samples from {s}");
            return loaded;
        }).ToList();
        IReadOnlyList<string> classes = [];
        int[] classIndex = [];
        if (classSamples.Count > 0)
        {
            try { (classes, classIndex) = WeakLabels.Classes(classSamples.Select(s => s.Name).ToList()); }
            catch (ArgumentException e) { throw new CommandException($"--class-data: {e.Message}"); }
        }
        var keepData = WeakLabels.MaskedShare(samples.Count, weak.MaskShare, seed);
        var keepClass = WeakLabels.MaskedShare(classSamples.Count, weak.MaskShare, seed + 1);
        var masked = samples.Where((_, i) => keepData[i]).Concat(classSamples.Where((_, i) => keepClass[i])).ToList();
        var labelled = weak.ClassLoss ? classSamples.Select((s, i) => new ClassSample(s.Name, s.Image, classIndex[i])).ToList() : [];
        Console.Error.WriteLine($"segbridge: pixel-level steps on {masked.Count} masked samples ({keepData.Count(k => k)} of {samples.Count} from --data, {keepClass.Count(k => k)} of {classSamples.Count} from --class-data); "
            + (labelled.Count > 0 ? $"image-level steps on {labelled.Count} samples of {classes.Count} classes ({string.Join(", ", classes)})" : "no image-level steps"));

        var options = new WeakGuideTrainingOptions { Network = config, Iterations = iterations, BatchSize = batch, CropSize = crop, LearningRate = lr, Seed = seed, ClassLossWeight = weak.ClassWeight };
        var started = DateTime.UtcNow;
        var (network, _) = new WeakGuideTrainer(options, device).Train(masked, labelled, classes.Count, new Progress<WeakGuideTrainer.Progress>(p =>
        {
            if (p.Iteration % 20 == 0 || p.Iteration == p.Total)
                Console.Error.WriteLine(FormattableString.Invariant($"segbridge: iteration {p.Iteration}/{p.Total} segmentation loss {p.SegmentationLoss:F4}")
                    + (labelled.Count > 0 ? FormattableString.Invariant($" class loss {p.ClassLoss:F4}") : "") + FormattableString.Invariant($" ({p.Elapsed.TotalMinutes:F1} min)"));
        }), ct);

        var outDir = Path.GetFullPath(output);
        var record = NewRecord(specs, samples.Count, seed, JsonSerializer.SerializeToNode(options), device, started);
        record["classData"] = new JsonArray(classSpecs.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray());
        record["classes"] = new JsonArray(classes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        record["maskShare"] = weak.MaskShare;
        record["classLoss"] = weak.ClassLoss;
        record["maskedSamples"] = new JsonArray(masked.Select(s => (JsonNode?)JsonValue.Create(s.Name)).ToArray());
        record["imageLevelSamples"] = labelled.Count;
        record["head"] = "the classification head is training-only and not saved; the weights are the segmentation network alone";
        var (weightsRelative, sha) = SaveWeights(outDir, modelName, network, null, null, record);
        WriteManifestFile(outDir, modelName, $"Weakly supervised guide network, DeepLabV3+ ResNet-{config.Depth} on the image alone", "torch/guide", "guide", interactions: null,
            new JsonObject { ["maxSide"] = 400, ["className"] = "Epithelium" }, WeightsEntry(weightsRelative, sha),
            "Ciga et al., Learning to segment images with classification labels (MedIA 2021): weakly supervised guide", record["command"]!.GetValue<string>());
        Console.Error.WriteLine($"segbridge: wrote {weightsRelative} (sha256 {sha}) and manifest {modelName}.json in {outDir}");
        return 0;
    }

    /// <summary>The training record: the exact command, data, seed, options, device and duration.</summary>
    internal static JsonObject NewRecord(IReadOnlyList<TrainingData.Spec> specs, int samples, int seed, JsonNode? options, TorchSharp.torch.Device device, DateTime started)
        => NewRecord(new JsonArray(specs.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray()), samples, seed, options, device, started);

    /// <summary>The same record for data that are not --data folder specs (mem3d's case folders); samples left out when null.</summary>
    internal static JsonObject NewRecord(JsonNode data, int? samples, int seed, JsonNode? options, TorchSharp.torch.Device device, DateTime started)
    {
        var record = new JsonObject { ["command"] = "segbridge " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)), ["data"] = data };
        if (samples is not null) record["samples"] = samples;
        record["seed"] = seed;
        record["options"] = options;
        record["device"] = device.type.ToString();
        record["threads"] = TorchSharp.torch.get_num_threads();
        record["startedUtc"] = started.ToString("O", CultureInfo.InvariantCulture);
        record["minutes"] = Math.Round((DateTime.UtcNow - started).TotalMinutes, 1);
        return record;
    }

    /// <summary>Writes OUT/weights/NAME.safetensors (record in its metadata) and NAME.training.json (record plus path and sha256).</summary>
    internal static (string Relative, string Sha) SaveWeights(string outDir, string modelName, ClickNetwork network, TorchSharp.torch.Tensor? wc, TorchSharp.torch.Tensor? wm, JsonObject record)
        => SaveWeights(outDir, modelName, (path, provenance) => ClickModelWeights.Save(path, network, wc, wm, provenance, halfPrecision: true), record);

    /// <summary>As above for any network: <paramref name="write"/> saves it to the path with the given provenance metadata.</summary>
    internal static (string Relative, string Sha) SaveWeights(string outDir, string modelName, Action<string, IReadOnlyDictionary<string, string>> write, JsonObject record)
    {
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var weightsRelative = $"weights/{modelName}.safetensors";
        var weightsPath = Path.Combine(outDir, weightsRelative);
        write(weightsPath, new Dictionary<string, string> { ["segbridge.training"] = record.ToJsonString() });
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weightsPath)));
        record["weights"] = weightsRelative;
        record["sha256"] = sha;
        File.WriteAllText(Path.Combine(outDir, "weights", modelName + ".training.json"), record.ToJsonString(Readable));
        return (weightsRelative, sha);
    }

    private static void WriteManifest(string outDir, string modelName, string method, string weights, string sha, ClickNetworkConfig config, string command)
    {
        var title = method switch { "none" => "no refinement", "f-brs" => "f-BRS", "g-brs" => "G-BRS (bmconv)", _ => "CGAM" };
        WriteManifestFile(outDir, $"{modelName}-{method}", $"Click DeepLabV3+ ResNet-{config.Depth}, {title}", "torch/brs-click", role: null, new JsonArray("click"),
            new JsonObject { ["method"] = method, ["iterations"] = 20, ["learningRate"] = 0.05, ["lambda"] = 1.0, ["maxSide"] = 400 }, WeightsEntry(weights, sha),
            "CGAM: Click-Guided Attention Module for Interactive Pathology Image Segmentation via Backpropagating Refinement (base network and refinement); K. Sofiiuk et al., f-BRS, CVPR 2020",
            command);
    }

    private static void WriteGuideManifest(string outDir, string modelName, string weights, string sha, ClickNetworkConfig config, string command)
        => WriteManifestFile(outDir, modelName, $"Guide network, DeepLabV3+ ResNet-{config.Depth} on the image alone", "torch/guide", "guide", interactions: null,
            new JsonObject { ["maxSide"] = 400, ["className"] = "Epithelium" }, WeightsEntry(weights, sha),
            "DeepScribble (GuideNet role): initial segmentation for scribble refinement", command);

    /// <summary>Writes OUT/ID.json with the fields every trained model's manifest has; role and interactions only when given.</summary>
    internal const string HistologyLicence = "Apache-2.0 (SegBridge); weights trained on research-only data (GlaS, WSSS4LUAD) and CC BY 4.0 data (EBHI): research use";

    internal static void WriteManifestFile(string outDir, string id, string name, string family, string? role, JsonArray? interactions, JsonObject parameters,
        JsonArray weights, string paper, string command, string dimensions = "2d", string licence = HistologyLicence, string? usage = null)
    {
        var manifest = new JsonObject { ["$schema"] = "./manifest.schema.json", ["id"] = id, ["name"] = name, ["family"] = family };
        if (role is not null) manifest["role"] = role;
        manifest["dimensions"] = dimensions;
        if (interactions is not null) manifest["interactions"] = interactions;
        manifest["parameters"] = parameters;
        manifest["weights"] = weights;
        manifest["licence"] = licence;
        manifest["paper"] = paper;
        manifest["description"] = (usage is null ? "" : usage + " ") + $"Trained by: {command}";
        File.WriteAllText(Path.Combine(outDir, $"{id}.json"), manifest.ToJsonString(Readable) + "\n");
    }

    /// <summary>Indented, and quotes and '+' left as they are so the recorded command reads as typed.</summary>
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static JsonArray WeightsEntry(params string[] pathThenSha)
        => new(pathThenSha.Chunk(2).Select(p => (JsonNode?)new JsonObject { ["path"] = p[0], ["sha256"] = p[1] }).ToArray());

    internal static void Check(int value, int min, int max, string option)
    {
        if (value < min || value > max) throw new CommandException($"{option} is {value}; allowed range is [{min}, {max}]");
    }

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or '\'' or '"') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;
}
