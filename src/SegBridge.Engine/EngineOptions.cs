namespace SegBridge.Engine;

/// <summary>Limits and folders the engine is started with; the host fills them from the command line.</summary>
public sealed record EngineOptions
{
    /// <summary>Largest image (width*height) accepted by images/open.</summary>
    public long MaxImagePixels { get; init; } = 64_000_000;
    /// <summary>Largest volume (width*height*depth) accepted by images/open: 256 M voxels is 512 MB as int16, 1 GB as float32.</summary>
    public long MaxVolumeVoxels { get; init; } = 256_000_000;
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
    /// <summary>Most open sessions one connection may own.</summary>
    public int MaxSessionsPerClient { get; init; } = 64;
    /// <summary>Most model computations one connection may have running or waiting, so one client cannot starve the others.</summary>
    public int MaxQueuedPerClient { get; init; } = 8;
    /// <summary>Most model computations waiting in the whole engine.</summary>
    public int MaxQueuedWork { get; init; } = 64;
    /// <summary>A model computation that takes longer is cancelled and reported.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Folder for session journals; null runs without crash recovery.</summary>
    public string? StateDirectory { get; init; }
    /// <summary>How long a session whose client has gone stays open (for a reconnect) before it is closed.</summary>
    public TimeSpan OrphanedSessionTtl { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Most images open at once in the whole engine.</summary>
    public int MaxOpenImages { get; init; } = 256;
    /// <summary>Most images one connection may have open.</summary>
    public int MaxOpenImagesPerClient { get; init; } = 64;
    /// <summary>Most bytes of pixels (and voxels) the engine's open images may hold: 8 GiB, about 40 images at the 64 M pixel limit.</summary>
    public long MaxImageBytes { get; init; } = 8L << 30;
    /// <summary>Most bytes of pixels one connection's open images may hold: 4 GiB, so two clients cannot both be starved by one.</summary>
    public long MaxImageBytesPerClient { get; init; } = 4L << 30;
    /// <summary>Folders images/open may read from (resolved, symlinks followed); null allows any path (in-process use by the CLI).</summary>
    public IReadOnlyList<string>? AllowedRoots { get; init; }
}
