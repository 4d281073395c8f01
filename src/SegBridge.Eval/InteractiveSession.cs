using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;

namespace SegBridge.Eval;

/// <summary>The mask after one interaction.</summary>
public sealed record MaskStep(Mask Mask, string? Notes);

/// <summary>
/// What the runner drives: one image, one model, interactions applied in order. An implementation
/// does everything a client's interaction costs (model, bookkeeping, mask encoding), because the
/// runner's seconds-per-interaction is measured around <see cref="Apply"/>.
/// </summary>
public interface IInteractiveSession : IDisposable
{
    MaskStep Apply(Interaction interaction, CancellationToken ct);
}

/// <summary>Opens sessions on a model by id; the engine's implementation uses its registry and sessions.</summary>
public interface ISessionFactory
{
    /// <summary>The interactions the model takes (click, scribble, labels, box); throws for an unknown model.</summary>
    IReadOnlyList<string> InteractionsOf(string modelId);
    IInteractiveSession Open(string modelId, ImageRaster image);
    /// <summary>The model's prediction with no interaction at all (a guide model's initial mask).</summary>
    Mask Predict(string modelId, ImageRaster image, CancellationToken ct);
}

/// <summary>A session straight on an <see cref="ISegmentationModel"/>: recompute on all interactions, encode the mask as COCO RLE.</summary>
public sealed class ModelSession(ISegmentationModel model, ImageRaster image) : IInteractiveSession
{
    private readonly List<Interaction> _interactions = [];
    private readonly ModelSessionState _state = new();

    public MaskStep Apply(Interaction interaction, CancellationToken ct)
    {
        _interactions.Add(interaction);
        var result = model.Segment(image, _interactions, _state, ct);
        _ = CocoRle.Encode(result.Mask); // what a client reply costs
        return new MaskStep(result.Mask, result.Notes);
    }

    /// <summary>Gives the model's per-session cache back (a learned model's native tensors).</summary>
    public void Dispose() => _state.Clear();
}

/// <summary>Sessions on a fixed set of models, by id (tests, and callers that hold models directly).</summary>
public sealed class ModelSessionFactory(IReadOnlyDictionary<string, ISegmentationModel> models) : ISessionFactory
{
    public IReadOnlyList<string> InteractionsOf(string modelId) => Find(modelId) is not null ? ["click", "scribble", "labels", "box"] : [];
    public IInteractiveSession Open(string modelId, ImageRaster image) => new ModelSession(Find(modelId), image);
    public Mask Predict(string modelId, ImageRaster image, CancellationToken ct) => Find(modelId).Segment(image, [], new ModelSessionState(), ct).Mask;

    private ISegmentationModel Find(string id) => models.TryGetValue(id, out var m) ? m
        : throw new ArgumentException($"unknown model '{id}'; known: {string.Join(", ", models.Keys.Order())}");
}
