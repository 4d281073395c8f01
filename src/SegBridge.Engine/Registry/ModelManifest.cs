using System.Text.Json;

namespace SegBridge.Engine.Registry;

/// <summary>A validated manifest from plugin-manifests/ (see plugin-manifests/manifest.schema.json).</summary>
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
    ModelStart Start,
    string? Segments = null,
    double? PixelSizeUm = null);

/// <summary>
/// What a session's mask is before its first interaction when the client does not say (manifest <c>initialMask</c>):
/// empty, the model's own prediction without interactions (the CGAM paper refines the base network's output), or a
/// guide model's prediction.
/// </summary>
public abstract record ModelStart
{
    private ModelStart() { }
    public static ModelStart None { get; } = new NoMask();
    public static ModelStart Self { get; } = new OwnPrediction();
    private sealed record NoMask : ModelStart { public override string ToString() => ManifestReader.NoInitialMask; }
    private sealed record OwnPrediction : ModelStart { public override string ToString() => ManifestReader.OwnInitialMask; }
    public sealed record FromGuide(string GuideId) : ModelStart { public override string ToString() => GuideId; }
}

/// <summary>A weights file named by a manifest, relative to the manifest's folder, with its sha256.</summary>
public sealed record WeightsFile(string Path, string Sha256);
