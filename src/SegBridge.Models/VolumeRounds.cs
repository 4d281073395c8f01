using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Models;

/// <summary>
/// One volume's rounds with one volumetric model: every slice the user segmented (COCO RLE, kept in the order
/// the slices were first segmented, which is the order the model's memory receives them) and the latest
/// propagation. A round puts the user's mask of one slice among the interactive ones and propagates with the
/// latest result as the previous round, so the engine's volumes/propagate and volume evaluation run the same
/// rounds. Reads see one consistent state from any thread; rounds are run one at a time (the engine holds a lock
/// per volume and model around <see cref="Run"/> and <see cref="Record"/>, and Record refuses a round run on an
/// earlier state).
/// </summary>
public sealed class VolumeRounds
{
    /// <summary>
    /// Replaced whole by each recorded round. Its Dictionary is only ever added to and overwritten before it is
    /// published, so it enumerates in insertion order: that order is what the model's memory receives, so it must
    /// survive copies and restores.
    /// </summary>
    private sealed record State(Dictionary<int, int[]> Interactive, VolumePropagation? Latest);

    private volatile State _state = new(new Dictionary<int, int[]>(), null);

    public int Width { get; }
    public int Height { get; }
    public int Depth { get; }

    /// <summary>Every slice the user segmented, as COCO RLE of the slice's mask.</summary>
    public IReadOnlyDictionary<int, int[]> Interactive => _state.Interactive;

    /// <summary>The slices of <see cref="Interactive"/>.</summary>
    public IReadOnlyCollection<int> InteractiveSlices => _state.Interactive.Keys;

    /// <summary>The latest propagation; null before the first round.</summary>
    public VolumePropagation? Latest => _state.Latest;

    public VolumeRounds(int width, int height, int depth)
    {
        if (width < 1 || height < 1 || depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), $"a volume of {width}×{height}×{depth} has no voxels");
        (Width, Height, Depth) = (width, height, depth);
    }

    /// <summary>Rounds read back after a restart: the saved interactive slices (in their saved order) and latest propagation.</summary>
    public VolumeRounds(int width, int height, int depth, IEnumerable<KeyValuePair<int, int[]>> interactive, VolumePropagation? latest)
        : this(width, height, depth)
    {
        var slices = new Dictionary<int, int[]>();
        foreach (var (z, rle) in interactive)
        {
            CheckSlice(z);
            slices[z] = rle;
        }
        if (latest is not null) CheckPropagation(latest);
        _state = new State(slices, latest);
    }

    /// <summary>
    /// Whether a slice mask can start a round: an empty mask says "no object on this slice", a correction once a
    /// round has put the object elsewhere; as the first round it would propagate nothing.
    /// </summary>
    public bool Accepts(Mask sliceMask) => _state.Latest is not null || sliceMask.CountForeground() > 0;

    /// <summary>The slice's mask in the latest propagation (the volume's slice size); null before the first round.</summary>
    public Mask? PropagatedMask(int slice)
    {
        CheckSlice(slice);
        return _state.Latest is { } latest ? CocoRle.Decode(latest.SliceRle[slice], Width, Height) : null;
    }

    /// <summary>
    /// The slice model's prior for a slice: its latest propagated mask as <see cref="VolumeModelState.PriorFromMask"/>
    /// (the paper's "previous mask of that slice"); null before the first round.
    /// </summary>
    public float[]? Prior(int slice) => PropagatedMask(slice) is { } mask ? VolumeModelState.PriorFromMask(mask.Data) : null;

    /// <summary>The next slice to segment by <see cref="SliceSuggestion"/>; null before the first round or when every slice is interactive.</summary>
    public int? Suggest(SliceRanking ranking) => Suggest(ranking, out _);

    /// <param name="latest">The propagation the suggestion was ranked on (a round recorded meanwhile does not mix in).</param>
    public int? Suggest(SliceRanking ranking, out VolumePropagation? latest)
    {
        var state = _state;
        latest = state.Latest;
        return latest is null ? null : SliceSuggestion.Suggest(latest.Quality, latest.ForegroundPerSlice, state.Interactive.Keys, ranking);
    }

    /// <summary>
    /// Runs one round without recording it: the interactive slices with <paramref name="sliceMask"/> on
    /// <paramref name="slice"/>, propagated from that slice with the latest result as the previous round. The
    /// engine saves the round before it <see cref="Record"/>s it, so what a client is told survives a crash.
    /// </summary>
    /// <exception cref="ArgumentException">The volume or mask does not fit these rounds, or an empty mask would be the first round.</exception>
    public VolumeRound Run(Volume volume, IVolumeModel model, int slice, Mask sliceMask, IProgress<VolumeProgress>? progress, CancellationToken ct)
    {
        if ((volume.Width, volume.Height, volume.Depth) != (Width, Height, Depth))
            throw new ArgumentException($"the volume is {volume.Width}×{volume.Height}×{volume.Depth}; these rounds are of a {Width}×{Height}×{Depth} volume");
        CheckSlice(slice);
        if ((sliceMask.Width, sliceMask.Height) != (Width, Height))
            throw new ArgumentException($"the mask of slice {slice} is {sliceMask.Width}×{sliceMask.Height}; the volume's slices are {Width}×{Height}");
        var state = _state;
        if (state.Latest is null && sliceMask.CountForeground() == 0)
            throw new ArgumentException($"the mask of slice {slice} is empty; an empty slice is propagated only as a correction after a first round");
        var interactive = new Dictionary<int, int[]>(state.Interactive) { [slice] = CocoRle.Encode(sliceMask) };
        var slices = interactive.Select(kv => new InteractiveSlice(kv.Key, CocoRle.Decode(kv.Value, Width, Height))).ToList();
        var result = model.Propagate(volume, slices, slice, state.Latest, progress, ct);
        CheckPropagation(result);
        return new VolumeRound(slice, interactive, result, state.Latest);
    }

    /// <summary>Makes a round run on these rounds the latest one.</summary>
    /// <exception cref="InvalidOperationException">Another round was recorded since this one was run.</exception>
    public void Record(VolumeRound round)
    {
        var state = _state;
        if (!ReferenceEquals(round.Previous, state.Latest))
            throw new InvalidOperationException($"the round on slice {round.Slice} was run on an earlier state of these rounds");
        var interactive = new Dictionary<int, int[]>(state.Interactive) { [round.Slice] = round.Interactive[round.Slice] };
        _state = new State(interactive, round.Result);
    }

    /// <summary>One round run and recorded (what a caller without a journal does).</summary>
    public VolumePropagation Propagate(Volume volume, IVolumeModel model, int slice, Mask sliceMask, IProgress<VolumeProgress>? progress, CancellationToken ct)
    {
        var round = Run(volume, model, slice, sliceMask, progress, ct);
        Record(round);
        return round.Result;
    }

    private void CheckSlice(int slice)
    {
        if (slice < 0 || slice >= Depth) throw new ArgumentOutOfRangeException(nameof(slice), $"slice {slice} is outside 0..{Depth - 1}");
    }

    private void CheckPropagation(VolumePropagation p)
    {
        if (p.SliceRle.Length != Depth || p.Quality.Length != Depth || p.ForegroundPerSlice.Length != Depth)
            throw new ArgumentException($"a propagation of {p.SliceRle.Length} slices for a volume of {Depth}");
    }
}

/// <summary>
/// A round's outcome: its slice, the interactive slices after it (RLE, in the model's order), the propagation,
/// and the latest propagation it was run on (so it is recorded only on the state it came from).
/// </summary>
public sealed record VolumeRound(int Slice, IReadOnlyDictionary<int, int[]> Interactive, VolumePropagation Result, VolumePropagation? Previous);
