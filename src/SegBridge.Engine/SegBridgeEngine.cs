using SegBridge.Engine.Images;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Models;

namespace SegBridge.Engine;

/// <summary>
/// The state every connection shares: the model registry, opened images, sessions and the compute
/// gate that keeps heavy work from oversubscribing the CPU. Connections talk to it through <see cref="Api.EngineApi"/>.
/// </summary>
public sealed class SegBridgeEngine
{
    public EngineOptions Options { get; }
    public ModelRegistry Registry { get; }
    public ImageStore Images { get; } = new();
    public SessionStore Sessions { get; } = new();
    public SemaphoreSlim ComputeGate { get; }
    public string ServerVersion { get; } = typeof(SegBridgeEngine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public SegBridgeEngine(EngineOptions options, IEnumerable<IModelFamily> families)
    {
        Options = options;
        Registry = new ModelRegistry(families, options.ManifestDirectories);
        ComputeGate = new SemaphoreSlim(options.ComputeSlots, options.ComputeSlots);
    }

    /// <summary>Devices available to models. CPU always; CUDA is added by model families that load a CUDA runtime.</summary>
    public IReadOnlyList<string> Devices { get; } = ["cpu"];
}
