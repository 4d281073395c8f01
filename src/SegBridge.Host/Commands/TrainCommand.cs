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
/// refinement method (none, f-BRS, G-BRS, CGAM) that all share those weights.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var family = new Option<string>("--family") { Description = "What to train: brs-click (the CGAM paper's base click network), guide (an image-only guide network, DeepScribble's GuideNet role), deepscribble (RefineNet on a trained guide) or mem3d (Mem3D on a folder of volume case folders)", Required = true };
        var data = new Option<string[]>("--data") { Description = "Training folder DIR[:pattern=GLOB][:class=ID][:alternate=even|odd] with images/ and masks/ (repeatable)", Required = true };
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
        var sliceSize = new Option<int>("--slice-size") { Description = "mem3d: slices are resized to this size for f_Mem", DefaultValueFactory = _ => 128 };
        var roiSize = new Option<int>("--roi-size") { Description = "mem3d: f_In's ROI is resized to this size", DefaultValueFactory = _ => 96 };
        var channels = new Option<int>("--channels") { Description = "mem3d: encoder channels C (keys C/8, values C/2)", DefaultValueFactory = _ => 64 };
        var command = new Command("train", "Train a model's weights and write its manifests") { family, data, output, name, depth, width, aspp, decoder, iterations, batch, crop, lr, seed, threads, guideWeights, inputs, imagePattern, labelPattern, cases, memoryIterations, sliceSize, roiSize, channels };
        command.SetAction((parse, ct) =>
        {
            var familyName = parse.GetValue(family);
            if (familyName is not ("brs-click" or "guide" or "deepscribble" or "mem3d")) throw new CommandException($"--family is '{familyName}'; allowed: brs-click, guide, deepscribble, mem3d");
            bool guide = familyName == "guide";
            var modelName = parse.GetValue(name)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(modelName, "^[a-z0-9][a-z0-9-]{0,40}$")) throw new CommandException($"--name '{modelName}' must be lower-case letters, digits and '-' (at most 41)");
            if (familyName == "mem3d")
                return Task.FromResult(Mem3DTraining.Run(parse.GetValue(data)!, parse.GetValue(imagePattern)!, parse.GetValue(labelPattern)!, parse.GetValue(cases), parse.GetValue(output)!, modelName,
                    parse.GetValue(iterations), parse.GetValue(memoryIterations), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(threads),
                    parse.GetValue(sliceSize), parse.GetValue(roiSize), parse.GetValue(channels), ct));
            Check(parse.GetValue(iterations), 1, 1_000_000, "--iterations");
            Check(parse.GetValue(batch), 2, 256, "--batch");
            Check(parse.GetValue(crop), 32, 2048, "--crop");
            if (parse.GetValue(crop) % 16 != 0) throw new CommandException($"--crop is {parse.GetValue(crop)}; it must be a multiple of 16");
            Check(parse.GetValue(threads), 0, 1024, "--threads");
            if (!(parse.GetValue(lr) is > 0 and <= 1)) throw new CommandException($"--lr is {parse.GetValue(lr)}; allowed range is (0, 1]");
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
            var (specs, samples) = TrainingData.LoadAll(parse.GetValue(data)!);

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
            Directory.CreateDirectory(Path.Combine(outDir, "weights"));
            var weightsRelative = $"weights/{modelName}.safetensors";
            var weightsPath = Path.Combine(outDir, weightsRelative);
            var (wc, wm) = guide ? (null, null) : ClickModelWeights.NewCgamStart(config.AsppChannels, options.Seed);
            var record = NewRecord(specs, samples.Count, options.Seed, JsonSerializer.SerializeToNode(options), device, started);
            var sha = SaveWeights(outDir, modelName, network, wc, wm, record);
            if (guide)
            {
                WriteGuideManifest(outDir, modelName, weightsRelative, sha, config, record["command"]!.GetValue<string>());
                Console.Error.WriteLine($"segbridge: wrote {weightsPath} (sha256 {sha}) and manifest {modelName}.json");
            }
            else
            {
                foreach (var method in new[] { "none", "f-brs", "g-brs", "cgam" })
                    WriteManifest(outDir, modelName, method, weightsRelative, sha, config, record["command"]!.GetValue<string>());
                Console.Error.WriteLine($"segbridge: wrote {weightsPath} (sha256 {sha}) and manifests {modelName}-{{none,f-brs,g-brs,cgam}}.json");
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The training record: the exact command, data, seed, options, device and duration.</summary>
    internal static JsonObject NewRecord(IReadOnlyList<TrainingData.Spec> specs, int samples, int seed, JsonNode? options, TorchSharp.torch.Device device, DateTime started) => new()
    {
        ["command"] = "segbridge " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)),
        ["data"] = new JsonArray(specs.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray()),
        ["samples"] = samples,
        ["seed"] = seed,
        ["options"] = options,
        ["device"] = device.type.ToString(),
        ["threads"] = TorchSharp.torch.get_num_threads(),
        ["startedUtc"] = started.ToString("O", CultureInfo.InvariantCulture),
        ["minutes"] = Math.Round((DateTime.UtcNow - started).TotalMinutes, 1),
    };

    /// <summary>Writes OUT/weights/NAME.safetensors (float16, the record in its metadata) and NAME.training.json; returns the file's sha256.</summary>
    internal static string SaveWeights(string outDir, string modelName, ClickNetwork network, TorchSharp.torch.Tensor? wc, TorchSharp.torch.Tensor? wm, JsonObject record)
    {
        var weightsRelative = $"weights/{modelName}.safetensors";
        var weightsPath = Path.Combine(outDir, weightsRelative);
        ClickModelWeights.Save(weightsPath, network, wc, wm, new Dictionary<string, string> { ["segbridge.training"] = record.ToJsonString() }, halfPrecision: true);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weightsPath)));
        record["weights"] = weightsRelative;
        record["sha256"] = sha;
        File.WriteAllText(Path.Combine(outDir, "weights", modelName + ".training.json"), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return sha;
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
    internal static void WriteManifestFile(string outDir, string id, string name, string family, string? role, JsonArray? interactions, JsonObject parameters,
        JsonArray weights, string paper, string command)
    {
        var manifest = new JsonObject { ["$schema"] = "./manifest.schema.json", ["id"] = id, ["name"] = name, ["family"] = family };
        if (role is not null) manifest["role"] = role;
        manifest["dimensions"] = "2d";
        if (interactions is not null) manifest["interactions"] = interactions;
        manifest["parameters"] = parameters;
        manifest["weights"] = weights;
        manifest["licence"] = "Apache-2.0 (SegBridge); weights trained on research-only data (GlaS, WSSS4LUAD) and CC BY 4.0 data (EBHI): research use";
        manifest["paper"] = paper;
        manifest["description"] = $"Trained by: {command}";
        File.WriteAllText(Path.Combine(outDir, $"{id}.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    internal static JsonArray WeightsEntry(params string[] pathThenSha)
        => new(pathThenSha.Chunk(2).Select(p => (JsonNode?)new JsonObject { ["path"] = p[0], ["sha256"] = p[1] }).ToArray());

    internal static void Check(int value, int min, int max, string option)
    {
        if (value < min || value > max) throw new CommandException($"{option} is {value}; allowed range is [{min}, {max}]");
    }

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or '\'' or '"') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;
}
