using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Models;

/// <summary>
/// A refinement model as the engine sees it: the image and every interaction so far in, a mask out.
/// Models never see RPC types or client file paths. They must be safe to call from several sessions
/// at once (keep per-session state in <see cref="ModelSessionState"/>, not in fields).
/// </summary>
public interface ISegmentationModel
{
    /// <summary>Segment <paramref name="image"/> given the ordered interactions of a session.</summary>
    SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken);
}

/// <summary>Per-session scratch space a model may use to cache work between interactions.</summary>
public sealed class ModelSessionState
{
    public Dictionary<string, object> Items { get; } = new();

    /// <summary>
    /// Set by the caller for a volumetric model's slice step: the previous mask of this slice (e.g. its propagated
    /// mask; slice width × height, in [0, 1], see <see cref="VolumeModelState.PriorFromMask"/>) that it refines
    /// instead of 0.5 everywhere. Null: no prior.
    /// </summary>
    public float[]? SlicePrior { get; set; }

    /// <summary>
    /// The item under <paramref name="key"/> when it is a <typeparamref name="T"/> that <paramref name="isCurrent"/>
    /// accepts (e.g. built for this raster); otherwise the old item is disposed and <paramref name="create"/>'s
    /// result stored in its place.
    /// </summary>
    public T GetOrReplace<T>(string key, Func<T, bool> isCurrent, Func<T> create) where T : class
    {
        if (Items.TryGetValue(key, out var item) && item is T current && isCurrent(current)) return current;
        (item as IDisposable)?.Dispose();
        var created = create();
        Items[key] = created;
        return created;
    }

    /// <summary>
    /// Drops every item, disposing those that hold native memory (a learned model's tensors), so a closed or
    /// reset session gives its memory back now rather than when the garbage collector gets to it.
    /// </summary>
    public void Clear()
    {
        foreach (var item in Items.Values.OfType<IDisposable>()) item.Dispose();
        Items.Clear();
        SlicePrior = null;
    }
}

/// <param name="Mask">The binary mask, image-sized.</param>
/// <param name="Probability">Optional foreground probability per pixel in [0, 1].</param>
/// <param name="Notes">How the model reached the answer, e.g. which background rule it applied.</param>
public sealed record SegmentationResult(Mask Mask, float[]? Probability, string? Notes);

/// <summary>
/// A model that reads only some kinds of image (Mem3D: grey volume slices). The engine refuses a session on an
/// image with other channels when it is created, naming the image, instead of failing at the first interaction.
/// A model without it takes grey and RGB images alike.
/// </summary>
public interface IChannelBound
{
    /// <summary>The channel counts the model reads (1 grey, 3 RGB).</summary>
    IReadOnlyList<int> Channels { get; }
}
