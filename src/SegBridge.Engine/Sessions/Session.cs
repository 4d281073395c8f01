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
/// redo re-applies a popped step with its saved mask. Masks are kept as COCO RLE, which is compact for
/// the blob-like masks users draw. All public members are serialised by one lock per session.
/// With a journal attached, each change is appended (and flushed) before the state changes, so an
/// acknowledged interaction survives a crash; replaying the journal rebuilds the same state.
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
    /// <summary>Where acknowledged changes are written; null when the engine runs without a state folder.</summary>
    public SessionJournal? Journal { get; set; }
    /// <summary>The connection that last used the session; null once that client is gone (or after a restart).</summary>
    public long? Owner { get; private set; }
    public DateTime LastUsedUtc { get; private set; } = DateTime.UtcNow;

    private CancellationTokenSource? _latestCompute;
    private readonly object _computeLock = new();

    /// <summary>Registers a new computation and cancels the one it supersedes (still waiting or running).</summary>
    public void BeginCompute(CancellationTokenSource cts)
    {
        lock (_computeLock)
        {
            _latestCompute?.Cancel();
            _latestCompute = cts;
        }
    }

    /// <summary>Whether a newer computation has replaced this one.</summary>
    public bool IsSuperseded(CancellationTokenSource cts)
    {
        lock (_computeLock) return _latestCompute != cts;
    }

    public void EndCompute(CancellationTokenSource cts)
    {
        lock (_computeLock) if (_latestCompute == cts) _latestCompute = null;
    }

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

    public Session(string id, StoredImage image, ModelEntry model, ImageRaster raster, RegionMapping mapping, SessionRegion region)
    {
        Id = id; Image = image; Model = model; Raster = raster; Mapping = mapping; Region = region;
        CurrentMask = new Mask(raster.Width, raster.Height);
    }

    public int InteractionCount => _applied.Count;

    /// <summary>COCO RLE of <see cref="CurrentMask"/>: the one saved with the latest step (no second encoding per click).</summary>
    public int[] CurrentMaskRle => _applied.Count > 0 ? _applied[^1].MaskRle : CocoRle.Encode(CurrentMask);
    public IReadOnlyList<Interaction> Interactions => _applied.Select(s => s.Interaction).ToList();
    public IReadOnlyList<Interaction> Redoable => _redo.Select(s => s.Interaction).ToList();

    /// <summary>Adds an interaction and recomputes the mask with every interaction so far. A new interaction clears redo.</summary>
    public void Apply(Interaction interaction, CancellationToken ct)
    {
        var all = _applied.Select(s => s.Interaction).Append(interaction).ToList();
        if (_slicePrior is not null) _modelState.Items[VolumeModelState.SlicePrior] = _slicePrior;
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

    public bool Undo()
    {
        if (_applied.Count == 0) return false;
        Journal?.Append(new JournalRecord { Op = "undo" });
        var last = _applied[^1];
        _applied.RemoveAt(_applied.Count - 1);
        _redo.Push(last);
        RestoreLatest();
        return true;
    }

    public bool Redo()
    {
        if (_redo.Count == 0) return false;
        Journal?.Append(new JournalRecord { Op = "redo" });
        _applied.Add(_redo.Pop());
        RestoreLatest();
        return true;
    }

    public void Reset()
    {
        Journal?.Append(new JournalRecord { Op = "reset" });
        _applied.Clear();
        _redo.Clear();
        _modelState.Clear();
        RestoreLatest();
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

    /// <summary>The guide model whose prediction is the mask before any interaction (null: an empty mask).</summary>
    public string? InitialMaskModel { get; private set; }
    private Mask? _initialMask;

    /// <summary>
    /// Starts the session from a guide model's prediction on its raster instead of an empty mask; undo and reset
    /// return to it. Guides are deterministic, so a journal replay that calls this again gets the same mask.
    /// </summary>
    public void StartFrom(ModelEntry guide, CancellationToken ct)
    {
        _initialMask = guide.Model!.Segment(Raster, [], new ModelSessionState(), ct).Mask;
        InitialMaskModel = guide.Manifest.Id;
        if (_applied.Count == 0) RestoreLatest();
    }

    /// <summary>
    /// The slice's latest propagated mask (COCO RLE, raster size) when the session was created on a propagated volume
    /// slice: the mask before any interaction, and f_In's "previous mask of that slice" (paper §2.2) in place of 0.5.
    /// </summary>
    public int[]? PropagatedMaskRle { get; private set; }
    private float[]? _slicePrior;

    /// <summary>Starts a volume-slice session from the slice's propagated mask; undo and reset return to it.</summary>
    public void StartFromPropagated(int[] rle)
    {
        var mask = CocoRle.Decode(rle, Raster.Width, Raster.Height);
        _initialMask = mask;
        _slicePrior = VolumeModelState.PriorFromMask(mask.Data);
        PropagatedMaskRle = rle;
        InitialMaskModel = PropagationInitialMask;
        if (_applied.Count == 0) RestoreLatest();
    }

    /// <summary>What <see cref="InitialMaskModel"/> says for a session started from a propagated mask.</summary>
    public const string PropagationInitialMask = "propagation";

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
