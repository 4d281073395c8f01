using System.Diagnostics;
using SegBridge.Engine.Images;
using SegBridge.Engine.Registry;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;

namespace SegBridge.Engine.Sessions;

/// <summary>
/// One interactive segmentation: an image, a model, the ordered interaction list and the mask after
/// each step. Undo pops a step and restores the mask saved with the step before it (no recompute);
/// redo re-applies a popped step with its saved mask. Masks are kept as COCO RLE, which is compact for
/// the blob-like masks users draw. All public members are serialised by one lock per session.
/// </summary>
public sealed class Session
{
    private readonly List<Step> _applied = [];
    private readonly Stack<Step> _redo = new();
    private readonly ModelSessionState _modelState = new();

    public string Id { get; }
    public StoredImage Image { get; }
    public ModelEntry Model { get; }
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public Mask CurrentMask { get; private set; }
    public double LastModelMs { get; private set; }
    public string? LastNotes { get; private set; }

    public Session(string id, StoredImage image, ModelEntry model)
    {
        Id = id; Image = image; Model = model;
        CurrentMask = new Mask(image.Raster.Width, image.Raster.Height);
    }

    public int InteractionCount => _applied.Count;
    public IReadOnlyList<Interaction> Interactions => _applied.Select(s => s.Interaction).ToList();
    public IReadOnlyList<Interaction> Redoable => _redo.Select(s => s.Interaction).ToList();

    /// <summary>Adds an interaction and recomputes the mask with every interaction so far. A new interaction clears redo.</summary>
    public void Apply(Interaction interaction, CancellationToken ct)
    {
        var all = _applied.Select(s => s.Interaction).Append(interaction).ToList();
        var sw = Stopwatch.StartNew();
        var result = Model.Model!.Segment(Image.Raster, all, _modelState, ct);
        LastModelMs = sw.Elapsed.TotalMilliseconds;
        LastNotes = result.Notes;
        CurrentMask = result.Mask;
        _applied.Add(new Step(interaction, CocoRle.Encode(result.Mask), result.Notes));
        _redo.Clear();
    }

    public bool Undo()
    {
        if (_applied.Count == 0) return false;
        var last = _applied[^1];
        _applied.RemoveAt(_applied.Count - 1);
        _redo.Push(last);
        RestoreLatest();
        return true;
    }

    public bool Redo()
    {
        if (_redo.Count == 0) return false;
        _applied.Add(_redo.Pop());
        RestoreLatest();
        return true;
    }

    public void Reset()
    {
        _applied.Clear();
        _redo.Clear();
        _modelState.Items.Clear();
        RestoreLatest();
    }

    private void RestoreLatest()
    {
        LastModelMs = 0;
        if (_applied.Count == 0)
        {
            CurrentMask = new Mask(Image.Raster.Width, Image.Raster.Height);
            LastNotes = null;
            return;
        }
        var step = _applied[^1];
        CurrentMask = CocoRle.Decode(step.MaskRle, Image.Raster.Width, Image.Raster.Height);
        LastNotes = step.Notes;
    }

    private sealed record Step(Interaction Interaction, int[] MaskRle, string? Notes);
}
