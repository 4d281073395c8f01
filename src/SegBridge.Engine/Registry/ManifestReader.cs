using System.Text.Json;
using System.Text.RegularExpressions;

namespace SegBridge.Engine.Registry;

/// <summary>
/// Reads and validates one manifest file. Every problem is reported with the file and the JSON path
/// of the field so the author can fix it; a bad manifest never stops the others from loading.
/// </summary>
public static partial class ManifestReader
{
    private static readonly string[] KnownFields =
        ["$schema", "id", "name", "family", "role", "dimensions", "interactions", "parameters", "weights", "licence", "paper", "description", "initialMask", "segments", "pixelSizeUm"];
    /// <summary>initialMask values besides a guide's id: an empty start, or the model's own prediction without interactions.</summary>
    public const string NoInitialMask = "none", OwnInitialMask = "model";
    /// <summary>pixelSizeUm's allowed range, µm per pixel (0.05: beyond any light microscope; 10000: a 1 cm voxel).</summary>
    public const double MinPixelSizeUm = 0.05, MaxPixelSizeUm = 10000;
    /// <summary>refinement: takes interactions (sessions); guide: predicts without them (slides/infer, eval's guide model).</summary>
    public static readonly string[] KnownRoles = ["refinement", "guide"];
    private static readonly string[] KnownInteractions = ["click", "scribble", "labels", "box", "extremePoints", "slice"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex Sha256Pattern();

    public static ModelManifest Read(string file)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e) { throw new ManifestException(file, null, $"not valid JSON: {e.Message}"); }
        catch (IOException e) { throw new ManifestException(file, null, $"cannot be read: {e.Message}"); }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ManifestException(file, null, "must be a JSON object");
            foreach (var p in root.EnumerateObject())
                if (!KnownFields.Contains(p.Name))
                    throw new ManifestException(file, p.Name, $"is not a manifest field; known: {string.Join(", ", KnownFields)}");

            var id = RequiredString(file, root, "id");
            if (!IdPattern().IsMatch(id)) throw new ManifestException(file, "id", $"'{id}' must match {IdPattern()} (lower-case letters, digits, '.', '_', '-')");
            var name = RequiredString(file, root, "name");
            var family = RequiredString(file, root, "family");
            var role = OptionalString(file, root, "role") ?? "refinement";
            if (!KnownRoles.Contains(role)) throw new ManifestException(file, "role", $"is '{role}'; allowed: {string.Join(", ", KnownRoles)}");
            var dimensions = OptionalString(file, root, "dimensions") ?? "2d";
            if (dimensions is not ("2d" or "3d")) throw new ManifestException(file, "dimensions", $"is '{dimensions}'; allowed: 2d, 3d");

            List<string>? interactions = null;
            if (root.TryGetProperty("interactions", out var inter))
            {
                if (inter.ValueKind != JsonValueKind.Array || inter.GetArrayLength() == 0)
                    throw new ManifestException(file, "interactions", $"must be a non-empty array of: {string.Join(", ", KnownInteractions)}");
                interactions = [];
                int i = 0;
                foreach (var e in inter.EnumerateArray())
                {
                    var s = e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
                    if (!KnownInteractions.Contains(s)) throw new ManifestException(file, $"interactions[{i}]", $"must be one of: {string.Join(", ", KnownInteractions)}");
                    interactions.Add(s);
                    i++;
                }
            }

            var parameters = new Dictionary<string, JsonElement>();
            if (root.TryGetProperty("parameters", out var par))
            {
                if (par.ValueKind != JsonValueKind.Object) throw new ManifestException(file, "parameters", "must be an object");
                foreach (var p in par.EnumerateObject()) parameters[p.Name] = p.Value.Clone();
            }

            var weights = new List<WeightsFile>();
            if (root.TryGetProperty("weights", out var w))
            {
                if (w.ValueKind != JsonValueKind.Array) throw new ManifestException(file, "weights", "must be an array of {path, sha256}");
                int i = 0;
                foreach (var e in w.EnumerateArray())
                {
                    var field = $"weights[{i}]";
                    if (e.ValueKind != JsonValueKind.Object) throw new ManifestException(file, field, "must be an object {path, sha256}");
                    var path = RequiredString(file, e, "path", field + ".");
                    if (Path.IsPathRooted(path) || path.Split('/', '\\').Contains(".."))
                        throw new ManifestException(file, field + ".path", $"'{path}' must be a relative path inside the manifest's folder");
                    var sha = RequiredString(file, e, "sha256", field + ".").ToLowerInvariant();
                    if (!Sha256Pattern().IsMatch(sha)) throw new ManifestException(file, field + ".sha256", "must be 64 hexadecimal digits");
                    weights.Add(new WeightsFile(path, sha));
                    i++;
                }
            }

            var start = OptionalString(file, root, "initialMask") ?? NoInitialMask;
            if (!IdPattern().IsMatch(start)) // "none" and "model" match the id pattern too
                throw new ManifestException(file, "initialMask", $"is '{start}'; allowed: {NoInitialMask}, {OwnInitialMask} (the model's own prediction without interactions) or a guide model's id");
            double? pixelSize = null;
            if (root.TryGetProperty("pixelSizeUm", out var px) && px.ValueKind != JsonValueKind.Null)
            {
                if (px.ValueKind != JsonValueKind.Number || !px.TryGetDouble(out var um) || !(um >= MinPixelSizeUm && um <= MaxPixelSizeUm))
                    throw new ManifestException(file, "pixelSizeUm", $"must be a number of µm per pixel in [{MinPixelSizeUm}, {MaxPixelSizeUm}]");
                pixelSize = um;
            }

            return new ModelManifest(file, id, name, family, role, dimensions, interactions, parameters, weights,
                OptionalString(file, root, "licence"), OptionalString(file, root, "paper"), OptionalString(file, root, "description"),
                start, OptionalString(file, root, "segments"), pixelSize);
        }
    }

    private static string RequiredString(string file, JsonElement obj, string name, string prefix = "")
        => OptionalString(file, obj, name, prefix) is { Length: > 0 } s ? s
            : throw new ManifestException(file, prefix + name, "is required and must be a non-empty string");

    private static string? OptionalString(string file, JsonElement obj, string name, string prefix = "")
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ManifestException(file, prefix + name, "must be a string");
        return v.GetString();
    }
}

public sealed class ManifestException(string file, string? field, string problem)
    : Exception(field is null ? $"{file}: {problem}" : $"{file}: field '{field}' {problem}")
{
    public string File { get; } = file;
    public string? Field { get; } = field;
    public string Problem { get; } = problem;
}
