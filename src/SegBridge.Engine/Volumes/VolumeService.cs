using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;

namespace SegBridge.Engine.Volumes;

/// <summary>
/// The rounds of every volume the engine has propagated: one <see cref="VolumeRounds"/> per (volume, model), shared
/// by every session on that volume with that model, so a 512×512×300 result costs a few hundred RLE arrays, never a
/// dense volume. With a state folder each round is saved (<see cref="VolumeRoundsStore"/>) before it is recorded and
/// answered, and read back the first time the volume is used after a restart, so a restored session can go on with
/// the next round (or a suggestion) at once. Refusals are <see cref="VolumeArgumentException"/>s naming the field.
/// </summary>
public sealed class VolumeService(VolumeRoundsStore? store = null)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly ConcurrentDictionary<(string Volume, string Model), Guarded> _rounds = new();
    private readonly ConditionalWeakTable<StoredImage, string> _keys = new();

    /// <summary>One volume's rounds with one model, behind their own lock (VolumeRounds itself is not thread-safe).</summary>
    private sealed class Guarded(VolumeRounds rounds)
    {
        public VolumeRounds Rounds { get; } = rounds;
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    /// <summary>A round checked and ready to run: the session's mask placed in its slice.</summary>
    public sealed record Plan(Session Session, Volume Volume, IVolumeModel Model, Mask SliceMask, int Slice);

    /// <summary>The next slice to segment, as ranked: its score, the pixels the score expects wrong, the interactive slices.</summary>
    public sealed record Suggestion(int Slice, float Quality, double ExpectedErrors, int[] InteractiveSlices);

    /// <summary>Checks that the session's current mask can start a round (read it under the session's lock).</summary>
    public Plan Check(Session session, ModelRegistry registry)
    {
        var (volume, model) = Require(session, registry);
        int z = session.Region.Slice!.Value;
        // A session may cover part of the slice: its mask goes back to slice coordinates.
        var full = session.CurrentMask.PlacedIn(volume.Width, volume.Height, (int)session.Mapping.OriginX, (int)session.Mapping.OriginY);
        // Read without waiting for a round in progress (VolumeRounds reads are consistent); Run checks again.
        if (!For(session.Image, session.Model).Rounds.Accepts(full))
            throw new VolumeArgumentException("sessionId", $"the mask of {session.Id} on slice {z} is empty; segment the object on this slice first (sessions/interact); an empty slice is propagated only as a correction after a first round",
                "a session with a non-empty mask");
        return new Plan(session, volume, model, full, z);
    }

    /// <summary>The volume and the propagating model of a session, or a refusal naming the session.</summary>
    public static (Volume Volume, IVolumeModel Model) Require(Session session, ModelRegistry registry)
    {
        if (session.Image.Volume is not { } volume || session.Region.Slice is null)
            throw new VolumeArgumentException("sessionId", $"{session.Id} is on a 2D image; volume methods need a session created on a volume slice (sessions/create with slice)", "a session on a volume slice");
        if (session.Model.Model is not IVolumeModel model)
        {
            var volumeModels = registry.Entries.Where(e => e.IsReady && e.Model is IVolumeModel).Select(e => e.Manifest.Id).ToList();
            throw new VolumeArgumentException("sessionId", $"model '{session.Model.Manifest.Id}' of {session.Id} segments single slices and cannot propagate through a volume; create the session with a volumetric model ({(volumeModels.Count > 0 ? string.Join(", ", volumeModels) : "none is ready")})",
                volumeModels.Count > 0 ? string.Join(", ", volumeModels) : "a torch/mem3d model");
        }
        return (volume, model);
    }

    /// <summary>
    /// How a new session on a volume slice starts: from the slice's latest propagated mask (cropped to the session's
    /// region) once the volume was propagated with this model, else empty.
    /// </summary>
    public SessionStart StartFor(StoredImage image, ModelEntry model, SessionRegion region, RegionMapping mapping, ImageRaster raster)
    {
        if (image.Volume is null || region.Slice is not { } z || model.Model is not IVolumeModel) return SessionStart.Empty;
        var rounds = For(image, model);
        rounds.Gate.Wait();
        try
        {
            return rounds.Rounds.PropagatedMask(z) is { } mask
                ? new SessionStart.Propagated(CocoRle.Encode(mask.Crop((int)mapping.OriginX, (int)mapping.OriginY, raster.Width, raster.Height)))
                : SessionStart.Empty;
        }
        finally { rounds.Gate.Release(); }
    }

    /// <summary>Runs a round, saves it (with a state folder) and only then records it, so what is answered survives a crash.</summary>
    public VolumePropagation Run(Plan plan, IProgress<VolumeProgress>? progress, CancellationToken ct)
    {
        var session = plan.Session;
        var rounds = For(session.Image, session.Model);
        rounds.Gate.Wait(ct);
        try
        {
            VolumeRound round;
            try { round = rounds.Rounds.Run(plan.Volume, plan.Model, plan.Slice, plan.SliceMask, progress, ct); }
            catch (ArgumentException e) { throw new VolumeArgumentException("sessionId", e.Message); }
            store?.Save(new VolumeRoundsRecord
            {
                VolumeKey = VolumeKey(session.Image), ModelId = session.Model.Manifest.Id,
                Width = plan.Volume.Width, Height = plan.Volume.Height, Depth = plan.Volume.Depth,
                Interactive = new Dictionary<int, int[]>(round.Interactive), Latest = VolumePropagationRecord.From(round.Result),
            });
            rounds.Rounds.Record(round);
            Log.Info("{0}: propagated {1} from slice {2} ({3} interactive), {4:F1} s", session.Id, session.Image.Id, plan.Slice, round.Interactive.Count, round.Result.Seconds);
            return round.Result;
        }
        finally { rounds.Gate.Release(); }
    }

    /// <summary>The next slice to segment on the session's volume; answered at once, from the latest round recorded.</summary>
    public Suggestion Suggest(Session session, ModelRegistry registry, SliceRanking ranking)
    {
        Require(session, registry);
        int? best = For(session.Image, session.Model).Rounds.Suggest(ranking, out var latest);
        if (latest is null)
            throw new VolumeArgumentException("sessionId", $"nothing has been propagated on {session.Image.Id} with '{session.Model.Manifest.Id}' yet; call volumes/propagate first", "a session whose volume was propagated");
        if (best is not { } z)
            throw new VolumeArgumentException("sessionId", $"every slice of {session.Image.Id} has been segmented by the user; there is nothing left to suggest");
        return new Suggestion(z, latest.Quality[z], SliceSuggestion.ExpectedErrors(latest.Quality[z], latest.ForegroundPerSlice[z]), latest.InteractiveSlices);
    }

    /// <summary>
    /// The rounds of a volume and model: the same for every session on that volume, whichever images/open it came
    /// through, and after a restart (read from the state folder on first use).
    /// </summary>
    private Guarded For(StoredImage image, ModelEntry model)
    {
        var volume = image.Volume!;
        return _rounds.GetOrAdd((VolumeKey(image), model.Manifest.Id), k =>
        {
            if (store?.Load(k.Volume, k.Model, volume.Width, volume.Height, volume.Depth) is not { } saved)
                return new Guarded(new VolumeRounds(volume.Width, volume.Height, volume.Depth));
            var rounds = new VolumeRounds(volume.Width, volume.Height, volume.Depth, saved.Interactive, saved.Latest?.ToPropagation());
            Log.Info("read {0} interactive slice(s) and {1} of {2} with '{3}' from the state folder", rounds.Interactive.Count,
                rounds.Latest is null ? "no propagation" : "the latest propagation", image.Id, k.Model);
            return new Guarded(rounds);
        });
    }

    /// <summary>
    /// What identifies a volume across images/open calls and restarts: its file (path, size and modification time,
    /// so an edited file is a new volume) or the SHA-256 of the bytes a client sent.
    /// </summary>
    public string VolumeKey(StoredImage image) => _keys.GetValue(image, i => i.Origin switch
    {
        ImageOrigin.File f => FormattableString.Invariant($"file:{f.Path}|{new FileInfo(f.Path).Length}|{File.GetLastWriteTimeUtc(f.Path).Ticks}"),
        ImageOrigin.VolumeBytes v => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(v.Encoded)),
        _ => "image:" + i.Id,
    });
}
