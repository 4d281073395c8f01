using System.Globalization;
using System.Text.RegularExpressions;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Training;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>The options every Torch family's training run declares alike, and the checks they share.</summary>
public static partial class TorchTraining
{
    public static TrainingOption Iterations(int byDefault, string description = "Training iterations")
        => new("iterations", description, Text(byDefault), "[1, 1000000]");
    public static TrainingOption Batch(int byDefault = 8) => new("batch", "Samples per batch", Text(byDefault), "[2, 256]");
    public static TrainingOption Crop(int byDefault) => new("crop", "Training crop size in pixels", Text(byDefault), "[32, 2048], a multiple of 16");
    public static TrainingOption LearningRate(double byDefault) => new("lr", "Adam learning rate", byDefault.ToString(CultureInfo.InvariantCulture), "(0, 1]");
    public static readonly TrainingOption Seed = new("seed", "Seed of the data order, sampling and initial weights", "1", "an integer");
    public static readonly TrainingOption Threads = new("threads", "libtorch threads (0 = one per core)", "0", "[0, 1024]");

    /// <summary>Long-run options of the trainers that checkpoint and validate (click network and guide).</summary>
    public static readonly IReadOnlyList<TrainingOption> LongRun =
    [
        new("checkpointEvery", "Write a resumable checkpoint into OUT/checkpoints/NAME/ every N iterations (0: none)", "100", "[0, 1000000]"),
        new("resume", "Continue from a checkpoint folder, or the newest in OUT/checkpoints/NAME/ given that folder; the other options must be the run's (--iterations equal to the checkpoint's finishes the run there)", null, "a checkpoint folder"),
        new("validationShare", "Share of the data samples held out (seeded) to measure IoU on while training; 0: none", "0", "[0, 0.5]"),
        new("validationEvery", "Measure the held-out IoU every N iterations and at the end", "100", "[1, 1000000]"),
    ];

    /// <summary>The ResNet DeepLabV3+ shape the click, guide and weak-guide families train.</summary>
    public static readonly IReadOnlyList<TrainingOption> NetworkShape =
    [
        new("backbone", $"{ImageNetResNet18.Id}: start from the ImageNet ResNet-18 (width 64, blocks [2, 2, 2, 3]); none: a ResNet trained from scratch", ImageNetResNet18.Id,
            string.Join(", ", ClickNetworkConfig.Backbones)),
        new("depth", "ResNet depth: 18, 34, 50 or 101 (18 with the ImageNet backbone)", "18", "18, 34, 50, 101"),
        new("width", "ResNet stem channels (64 = standard ResNet); default 64 with the ImageNet backbone, which fixes it, else 32", null, "[8, 256]"),
        new("asppChannels", "ASPP channels (even: CGAM halves them)", "128", "[8, 1024], even"),
        new("decoderChannels", "Decoder channels", "64", "[8, 1024]"),
    ];

    /// <summary>The 2D crop schedule: iterations, batch, crop, lr, seed (threads via <see cref="Device"/>).</summary>
    public static T CropSchedule<T>(TrainingOptionReader read, T options) where T : CropTrainingOptions
    {
        var crop = read.Int("crop", 32, 2048);
        if (crop % 16 != 0) throw read.Refuse("crop", $"is {crop}; it must be a multiple of 16", "[32, 2048], a multiple of 16");
        return options with
        {
            Iterations = read.Int("iterations", 1, 1_000_000), BatchSize = read.Int("batch", 2, 256), CropSize = crop,
            LearningRate = LearningRateOf(read), Seed = read.Int("seed", int.MinValue, int.MaxValue),
        };
    }

    public static double LearningRateOf(TrainingOptionReader read) => read.Double("lr", v => v is > 0 and <= 1, "(0, 1]");

    public static ClickNetworkConfig Network(TrainingOptionReader read, int inputChannels)
    {
        var backbone = read.Text("backbone");
        if (!ClickNetworkConfig.Backbones.Contains(backbone))
            throw read.Refuse("backbone", $"is '{backbone}'; allowed: {string.Join(", ", ClickNetworkConfig.Backbones)}", string.Join(", ", ClickNetworkConfig.Backbones));
        bool pretrained = backbone == ImageNetResNet18.Id;
        var config = new ClickNetworkConfig
        {
            Backbone = pretrained ? backbone : null,
            Depth = read.Int("depth", 1, 1000), Width = read.OptionalInt("width", 1, 100_000) ?? (pretrained ? ImageNetResNet18.Width : 32),
            AsppChannels = read.Int("asppChannels", 1, 100_000), DecoderChannels = read.Int("decoderChannels", 1, 100_000), InputChannels = inputChannels,
        };
        Validated(read, config.Validate);
        return config;
    }

    /// <summary>
    /// The ImageNet backbone's file for a network that starts from it (null for one trained from scratch), checked
    /// before any data is loaded; the record names it and its sha256.
    /// </summary>
    public static string? PretrainedFile(ClickNetworkConfig config)
    {
        if (config.Backbone is not ImageNetResNet18.Id) return null;
        var path = ImageNetResNet18.DefaultPath;
        if (!File.Exists(path)) throw new InvalidOperationException($"the ImageNet ResNet-18 is not at {path}: rebuild SegBridge (it comes with the NuGet restore), or train with backbone none");
        return path;
    }

    /// <summary>A seeded share of the samples held out for validation (none for share 0), and the rest to train on.</summary>
    public static (List<TrainingSample> Train, List<TrainingSample> HeldOut) HoldOut(IReadOnlyList<TrainingSample> samples, double share, int seed)
    {
        int count = (int)Math.Round(samples.Count * share);
        if (count == 0) return ([.. samples], []);
        var order = Enumerable.Range(0, samples.Count).ToArray();
        new Random(unchecked(seed * 7919 + 17)).Shuffle(order);
        var held = order.Take(count).ToHashSet();
        return ([.. samples.Where((_, i) => !held.Contains(i))], [.. samples.Where((_, i) => held.Contains(i))]);
    }

    /// <summary>The curve into the record, and drawn beside it as OUT/weights/NAME.training.png.</summary>
    public static void RecordCurve(System.Text.Json.Nodes.JsonObject record, TrainingCurve curve, IReadOnlyList<TrainingSample> heldOut, string outDir, string modelName)
    {
        record["curve"] = curve.ToJson();
        if (heldOut.Count > 0)
            record["heldOut"] = new System.Text.Json.Nodes.JsonArray(heldOut.Select(h => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(h.Name)).ToArray());
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        File.WriteAllBytes(Path.Combine(outDir, "weights", modelName + ".training.png"), curve.RenderPng($"{modelName}: training loss and held-out IoU"));
        record["curvePng"] = $"weights/{modelName}.training.png";
    }

    /// <summary>The training record's account of where the backbone started.</summary>
    /// <summary>
    /// A resumed run's record names the checkpoint and gives the whole run's training minutes ("minutes" is this
    /// process's wall time only); a checkpoint that did not keep its time leaves the total unknown, and says so.
    /// </summary>
    public static void RecordResume(System.Text.Json.Nodes.JsonObject record, TrainingCheckpoint.State? resumedFrom, double? trainingSeconds)
    {
        if (resumedFrom is null) return;
        record["resumedFrom"] = new System.Text.Json.Nodes.JsonObject
        {
            ["checkpoint"] = Path.GetFileName(resumedFrom.Folder), ["iteration"] = resumedFrom.Iteration,
            ["trainingMinutesBefore"] = resumedFrom.TrainingSeconds is { } s ? Math.Round(s / 60, 1) : null,
        };
        record["trainingMinutes"] = trainingSeconds is { } total ? Math.Round(total / 60, 1) : null;
    }

    public static void RecordBackbone(System.Text.Json.Nodes.JsonObject record, string? pretrainedFile)
    {
        record["backbone"] = pretrainedFile is null ? "none (trained from scratch)" : ImageNetResNet18.Id;
        if (pretrainedFile is not null)
        {
            record["backboneFile"] = "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0: tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
            record["backboneSha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(pretrainedFile)));
        }
    }

    /// <summary>A network config's own check, its message ("width is 4; …") refused under the option it names.</summary>
    public static void Validated(TrainingOptionReader read, Action validate)
    {
        try { validate(); }
        catch (ArgumentException e)
        {
            var name = e.Message.Split(' ')[0];
            throw new TrainingOptionException(name, read.Spell(name) + e.Message[name.Length..], e.Message);
        }
    }

    /// <summary>The model name becomes file names and model ids.</summary>
    public static string ModelName(TrainingRequest request)
    {
        if (!NamePattern().IsMatch(request.Name))
            throw new TrainingOptionException("name", $"{request.Spell("name")} '{request.Name}' must be lower-case letters, digits and '-' (at most 41)", "^[a-z0-9][a-z0-9-]{0,40}$");
        return request.Name;
    }

    /// <summary>The device to train on, with libtorch's threads set for the run (restore by disposing).</summary>
    public static (Device Device, IDisposable Threads) Device(TrainingOptionReader read)
    {
        var threads = read.Int("threads", 0, 1024);
        var scope = TorchRuntime.UseThreads(threads);
        if (TorchRuntime.Device is not { } device) { scope.Dispose(); throw new InvalidOperationException(TorchRuntime.Problem); }
        return (device, scope);
    }

    /// <summary>A trainer's own progress records as <see cref="TrainingProgress"/>, reported on the trainer's thread, in order.</summary>
    public static IProgress<T>? Relay<T>(IProgress<TrainingProgress>? to, Func<T, TrainingProgress> map)
        => to is null ? null : new SynchronousProgress<T>(p => to.Report(map(p)));

    /// <summary>The data option every 2D family needs.</summary>
    public static void RequireData(TrainingRequest request)
    {
        if (request.Data.Count == 0)
            throw new TrainingOptionException("data", $"{request.Spell("data")} is required: at least one training folder", "DIR[:pattern=GLOB][:class=ID][:alternate=even|odd]");
    }

    /// <summary>Progress&lt;T&gt; would post to the thread pool and reorder the reports.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,40}$")]
    private static partial Regex NamePattern();
}
