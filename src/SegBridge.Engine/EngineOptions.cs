namespace SegBridge.Engine;

/// <summary>Limits and folders the engine is started with; the host fills them from the command line.</summary>
public sealed record EngineOptions
{
    /// <summary>Largest image (width*height) accepted by images/open.</summary>
    public long MaxImagePixels { get; init; } = 64_000_000;
    /// <summary>Manifest folders, searched in order; later folders may not redefine an id.</summary>
    public IReadOnlyList<string> ManifestDirectories { get; init; } = [];
    /// <summary>Most vertices in one scribble.</summary>
    public int MaxScribblePoints { get; init; } = 100_000;
    /// <summary>Most open sessions in the whole engine.</summary>
    public int MaxSessions { get; init; } = 256;
    /// <summary>Seed-disk radius for a click that does not give one.</summary>
    public double DefaultClickRadius { get; init; } = 3;
    /// <summary>Stroke width for a scribble that does not give one.</summary>
    public double DefaultScribbleWidth { get; init; } = 3;
    /// <summary>Heavy model computations allowed at once on the CPU.</summary>
    public int ComputeSlots { get; init; } = Math.Max(1, Environment.ProcessorCount);
}
