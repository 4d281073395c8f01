using SegBridge.Engine.Registry;

namespace SegBridge.Engine.Sessions;

/// <summary>What a session's mask is before its first interaction; undo and reset return to it.</summary>
public abstract record SessionStart
{
    private SessionStart() { }

    /// <summary>An empty mask.</summary>
    public static SessionStart Empty { get; } = new EmptyMask();

    private sealed record EmptyMask : SessionStart;

    /// <summary>
    /// A guide model's prediction on the session's raster, or the session model's own prediction without interactions
    /// (<see cref="Model"/> is then the session's model). Both are deterministic, so a journal replay gets the same mask.
    /// </summary>
    public sealed record Guide(ModelEntry Model) : SessionStart;

    /// <summary>
    /// The slice's latest propagated mask (COCO RLE, the session's raster size) on a volume propagated before: the
    /// mask before any interaction, and the volumetric model's "previous mask of that slice" (Mem3D paper §2.2) in
    /// place of 0.5 everywhere.
    /// </summary>
    public sealed record Propagated(int[] MaskRle) : SessionStart;
}
