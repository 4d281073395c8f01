using System.Diagnostics;
using SegBridge.Engine.Images;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;

namespace SegBridge.Engine.Sessions;

/// <summary>
/// One interactive segmentation: an image, a model, the ordered interaction list and the mask after
/// each step. Undo pops a step and restores the mask saved with the step before it (no recompute);
/// redo re-applies a popped step with its saved mask. Reset is a step too, as an editor's "clear" is: it sets the
/// interactions aside, and undo right after it (nothing applied since) brings them back with their masks. Masks are kept as COCO RLE, which is compact for
/// the blob-like masks users draw. All public members are serialised by one lock per session.
/// With a journal attached, each change is appended (and flushed) before the state changes, so an
/// acknowledged interaction survives a crash; replaying the journal rebuilds the same state. When the record
/// cannot be written the journal throws <see cref="JournalUnavailableException"/> before anything here changed.
/// </summary>
public sealed class Session
{
    private readonly List<Step> _applied = [];
    /// <summary>The interactions each reset set aside, latest reset on top.</summary>
    private readonly Stack<List<Step>> _cleared = new();
    /// <summary>What redo re-applies, next on top: an undone interaction, or (null) an undone reset.</summary>
    private readonly Stack<Step?> _redo = new();
    private readonly ModelSessionState _modelState = new();

    public string Id { get; }
    public StoredImage Image { get; }
    public ModelEntry Model { get; }
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public Mask CurrentMask { get; private set; }
    public double LastModelMs { get; private set; }
    public string? LastNotes { get; private set; }
    /// <summary>Where acknowledged changes are written; null when the engine runs without a state folder.</summary>
    public SessionJournal? Journal { get; set; }
    /// <summary>The connection that last used the session; null once that client is gone (or after a restart).</summary>
    public long? Owner { get; private set; }
    public DateTime LastUsedUtc { get; private set; } = DateTime.UtcNow;

    /// <summary>Frees what the model cached for this session (call when the session is closed and idle).</summary>
    public void ReleaseModelState() => _modelState.Clear();

    public void Touch(long connection)
    {
        Owner = connection;
        LastUsedUtc = DateTime.UtcNow;
    }

    public void Disown(long connection)
    {
        if (Owner != connection) return;
        Owner = null;
        LastUsedUtc = DateTime.UtcNow;
    }

    /// <summary>The pixels the model sees: the session's region of the image at its resolution.</summary>
    public ImageRaster Raster { get; }
    /// <summary>Image (level-0) ↔ working-raster coordinates.</summary>
    public RegionMapping Mapping { get; }
    /// <summary>The region as the client asked for it, in image pixels (kept for the journal and replies).</summary>
    public SessionRegion Region { get; }

    /// <param name="start">The mask before any interaction (default: empty); a guide's is predicted here.</param>
    public Session(string id, StoredImage image, ModelEntry model, ImageRaster raster, RegionMapping mapping, SessionRegion region,
        SessionStart? start = null, CancellationToken ct = default)
    {
        Id = id; Image = image; Model = model; Raster = raster; Mapping = mapping; Region = region;
        Start = start ?? SessionStart.Empty;
        switch (Start)
        {
            case SessionStart.Guide guide:
                // The model's own click-free prediction shares the session's cache (image tensor, features).
                var scratch = ReferenceEquals(guide.Model, model) ? _modelState : new ModelSessionState();
                _initialMask = guide.Model.Model!.Segment(Raster, [], scratch, ct).Mask;
                break;
            case SessionStart.Propagated propagated:
                _initialMask = CocoRle.Decode(propagated.MaskRle, Raster.Width, Raster.Height);
                _slicePrior = VolumeModelState.PriorFromMask(_initialMask.Data);
                break;
        }
        CurrentMask = _initialMask?.Clone() ?? new Mask(raster.Width, raster.Height);
    }

    /// <summary>What the mask was before any interaction.</summary>
    public SessionStart Start { get; }
    private readonly Mask? _initialMask;
    /// <summary>The slice model's prior from <see cref="SessionStart.Propagated"/>; null otherwise.</summary>
    private readonly float[]? _slicePrior;

    public int InteractionCount => _applied.Count;

    /// <summary>COCO RLE of <see cref="CurrentMask"/>: the one saved with the latest step (no second encoding per click).</summary>
    public int[] CurrentMaskRle => _applied.Count > 0 ? _applied[^1].MaskRle : CocoRle.Encode(CurrentMask);
    public IReadOnlyList<Interaction> Interactions => _applied.Select(s => s.Interaction).ToList();
    /// <summary>What redo would re-apply, next first: interactions, and null for a reset.</summary>
    public IReadOnlyList<Interaction?> Redoable => _redo.Select(s => s?.Interaction).ToList();

    /// <summary>Adds an interaction and recomputes the mask with every interaction so far. A new interaction clears redo.</summary>
    public void Apply(Interaction interaction, CancellationToken ct)
    {
        var all = _applied.Select(s => s.Interaction).Append(interaction).ToList();
        _modelState.SlicePrior = _slicePrior;
        var sw = Stopwatch.StartNew();
        var result = Model.Model!.Segment(Raster, all, _modelState, ct);
        var elapsed = sw.Elapsed.TotalMilliseconds;
        Journal?.Append(new JournalRecord { Op = "interact", Interaction = JournalInteractions.ToRecord(interaction) });
        LastModelMs = elapsed;
        LastNotes = result.Notes;
        CurrentMask = result.Mask;
        _applied.Add(new Step(interaction, CocoRle.Encode(result.Mask), result.Notes));
        _redo.Clear();
    }

    /// <summary>Takes back the latest step: the last interaction, or (when none was applied since) the latest reset.</summary>
    public bool Undo()
    {
        if (_applied.Count == 0 && _cleared.Count == 0) return false;
        Journal?.Append(new JournalRecord { Op = "undo" });
        if (_applied.Count > 0)
        {
            var last = _applied[^1];
            _applied.RemoveAt(_applied.Count - 1);
            _redo.Push(last);
        }
        else
        {
            _applied.AddRange(_cleared.Pop());
            _redo.Push(null);
        }
        RestoreLatest();
        return true;
    }

    public bool Redo()
    {
        if (_redo.Count == 0) return false;
        Journal?.Append(new JournalRecord { Op = "redo" });
        if (_redo.Pop() is { } step) _applied.Add(step);
        else SetAside();
        RestoreLatest();
        return true;
    }

    /// <summary>Back to the mask before any interaction; undoable while nothing is applied after it. Like a new interaction, it clears redo.</summary>
    public void Reset()
    {
        Journal?.Append(new JournalRecord { Op = "reset" });
        SetAside();
        _redo.Clear();
        RestoreLatest();
    }

    /// <summary>Sets the applied interactions aside for undo (a reset with none applied sets nothing aside).</summary>
    private void SetAside()
    {
        if (_applied.Count > 0) _cleared.Push([.. _applied]);
        _applied.Clear();
        _modelState.Clear();
    }

    /// <summary>Re-applies one journal record (the journal itself is attached after replay, so nothing is written twice).</summary>
    public void Replay(JournalRecord record, CancellationToken ct)
    {
        switch (record.Op)
        {
            case "interact": Apply(JournalInteractions.FromRecord(record.Interaction ?? throw new InvalidDataException("interact record without interaction")), ct); break;
            case "undo": Undo(); break;
            case "redo": Redo(); break;
            case "reset": Reset(); break;
            default: throw new InvalidDataException($"unknown journal op '{record.Op}'");
        }
    }

    private void RestoreLatest()
    {
        LastModelMs = 0;
        if (_applied.Count == 0)
        {
            CurrentMask = _initialMask?.Clone() ?? new Mask(Raster.Width, Raster.Height);
            LastNotes = null;
            return;
        }
        var step = _applied[^1];
        CurrentMask = CocoRle.Decode(step.MaskRle, Raster.Width, Raster.Height);
        LastNotes = step.Notes;
    }

    private sealed record Step(Interaction Interaction, int[] MaskRle, string? Notes);
}
