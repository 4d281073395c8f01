using SegBridge.Models;

namespace SegBridge.Engine.Registry;

/// <summary>A registered model: its manifest and either a runnable model or the reason it cannot run.</summary>
public sealed record ModelEntry(ModelManifest Manifest, IReadOnlyList<string> Interactions, ISegmentationModel? Model, string? UnavailableReason)
{
    public bool IsReady => Model is not null;
}
