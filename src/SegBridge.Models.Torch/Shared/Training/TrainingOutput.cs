using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Models.Training;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// What every family's training run writes once it has trained: the training record (command, data, seed,
/// options, device, duration), OUT/weights/NAME.safetensors with that record in its metadata, NAME.training.json,
/// and manifests OUT/ID.json with the fields every trained model's manifest has.
/// </summary>
public static class TrainingOutput
{
    public const string HistologyLicence = "Apache-2.0 (SegBridge); weights trained on research-only data (GlaS, WSSS4LUAD) and CC BY 4.0 data (EBHI): research use";

    public static JsonObject NewRecord(TrainingRequest request, IReadOnlyList<TrainingData.Spec> specs, int samples, int seed, JsonNode? options, TorchSharp.torch.Device device, DateTime started)
        => NewRecord(request, new JsonArray(specs.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray()), samples, seed, options, device, started);

    /// <summary>The same record for data that are not folder specs (mem3d's case folders); samples left out when null.</summary>
    public static JsonObject NewRecord(TrainingRequest request, JsonNode data, int? samples, int seed, JsonNode? options, TorchSharp.torch.Device device, DateTime started)
    {
        var record = new JsonObject { ["command"] = request.Command, ["data"] = data };
        if (samples is not null) record["samples"] = samples;
        record["seed"] = seed;
        record["options"] = options;
        record["device"] = device.type.ToString();
        record["threads"] = TorchSharp.torch.get_num_threads();
        record["startedUtc"] = started.ToString("O", CultureInfo.InvariantCulture);
        record["minutes"] = Math.Round((DateTime.UtcNow - started).TotalMinutes, 1);
        return record;
    }

    /// <summary>A click-family network (click, guide, RefineNet) in float16, with CGAM's start weights when given.</summary>
    public static (string Relative, string Sha) SaveWeights(string outDir, string modelName, ClickNetwork network, IReadOnlyDictionary<string, TorchSharp.torch.Tensor>? cgamStart, JsonObject record)
        => SaveWeights(outDir, modelName, (path, provenance) => ClickModelWeights.Save(path, network, cgamStart, provenance, halfPrecision: true), record);

    /// <summary>As above for any network: <paramref name="write"/> saves it to the path with the given provenance metadata.</summary>
    public static (string Relative, string Sha) SaveWeights(string outDir, string modelName, Action<string, IReadOnlyDictionary<string, string>> write, JsonObject record)
    {
        Directory.CreateDirectory(Path.Combine(outDir, "weights"));
        var weightsRelative = $"weights/{modelName}.safetensors";
        var weightsPath = Path.Combine(outDir, weightsRelative);
        write(weightsPath, new Dictionary<string, string> { ["segbridge.training"] = record.ToJsonString() });
        var sha = Sha256(weightsPath);
        record["weights"] = weightsRelative;
        record["sha256"] = sha;
        File.WriteAllText(Path.Combine(outDir, "weights", modelName + ".training.json"), record.ToJsonString(Readable));
        return (weightsRelative, sha);
    }

    public static JsonArray WeightsEntry(params string[] pathThenSha)
        => new(pathThenSha.Chunk(2).Select(p => (JsonNode?)new JsonObject { ["path"] = p[0], ["sha256"] = p[1] }).ToArray());

    /// <summary>Writes OUT/ID.json and returns its path; role and interactions only when given.</summary>
    public static string WriteManifest(string outDir, string id, string name, string family, string? role, JsonArray? interactions, JsonObject parameters,
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
        var path = Path.Combine(outDir, $"{id}.json");
        File.WriteAllText(path, manifest.ToJsonString(Readable) + "\n");
        return path;
    }

    /// <summary>The outcome of a run that wrote <paramref name="manifests"/> beside OUT/weights/NAME.*.</summary>
    public static TrainingOutcome Outcome(string outDir, string modelName, IReadOnlyList<string> manifests, DateTime started)
        => new(Path.Combine(outDir, "weights", modelName + ".safetensors"), Path.Combine(outDir, "weights", modelName + ".training.json"), manifests,
            (DateTime.UtcNow - started).TotalSeconds);

    /// <summary>Indented, and quotes and '+' left as they are so the recorded command reads as typed.</summary>
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A file's sha256 as lower-case hex, as manifests and records spell it.</summary>
    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
