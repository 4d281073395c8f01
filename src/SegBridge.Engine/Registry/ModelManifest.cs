using System.Text.Json;

namespace SegBridge.Engine.Registry;

/// <summary>
/// A validated manifest from plugin-manifests/ (see plugin-manifests/manifest.schema.json). InitialMask is where a
/// session starts when sessions/create names none: <see cref="ManifestReader.NoInitialMask"/>,
/// <see cref="ManifestReader.OwnInitialMask"/> (the model's own prediction without interactions) or a guide's id.
/// </summary>
public sealed record ModelManifest(
    string File,
    string Id,
    string Name,
    string Family,
    string Role,
    string Dimensions,
    IReadOnlyList<string>? Interactions,
    IReadOnlyDictionary<string, JsonElement> Parameters,
    IReadOnlyList<WeightsFile> Weights,
    string? Licence,
    string? Paper,
    string? Description,
    string InitialMask,
    string? Segments = null,
    double? PixelSizeUm = null);

/// <summary>A weights file named by a manifest, relative to the manifest's folder, with its sha256.</summary>
public sealed record WeightsFile(string Path, string Sha256);
