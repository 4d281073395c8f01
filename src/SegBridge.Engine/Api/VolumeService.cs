using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// volumes/propagate and volumes/suggest. Rounds are kept per (volume, model): every slice a user segmented (in any
/// session on that volume with that model) as COCO RLE, and the latest propagation as per-slice RLE plus scores,
/// so a 512×512×300 result costs a few hundred RLE arrays, never a dense volume. With a state folder each round is
/// saved (<see cref="VolumeRoundsStore"/>) before it is answered, and read back the first time the volume is used
/// after a restart, so a restored session can go on with the next round (or volumes/suggest) at once.
/// </summary>
public sealed class VolumeService(VolumeRoundsStore? store = null)
{
    public const string FormatRle = "rle", FormatNifti = "nifti";
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly ConcurrentDictionary<(string Volume, string Model), Rounds> _rounds = new();
    private readonly ConditionalWeakTable<StoredImage, string> _keys = new();

    /// <summary>One volume's rounds with one model; guarded by its own lock.</summary>
    public sealed class Rounds
    {
        public Dictionary<int, int[]> Interactive { get; } = new();
        public VolumePropagation? Latest { get; set; }
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    public sealed record Plan(Session Session, Volume Volume, IVolumeModel Model, string Format, Mask SliceMask, int Slice);

    public Plan Check(Session session, PropagateVolumeParams p, ModelRegistry registry)
    {
        var format = string.IsNullOrEmpty(p.Format) ? FormatRle : p.Format;
        if (format is not (FormatRle or FormatNifti))
            throw Errors.Argument("format", $"unknown volume mask format '{p.Format}'; allowed: rle, nifti", "rle, nifti");
        var (volume, model) = Require(session, registry);
        int z = session.Region.Slice!.Value;
        var mask = session.CurrentMask;
        // An empty mask is a correction ("no object on this slice") once a round has put the object elsewhere;
        // as the first round it would propagate nothing.
        if (mask.CountForeground() == 0 && For(session).Latest is null)
            throw Errors.Argument("sessionId", $"the mask of {session.Id} on slice {z} is empty; segment the object on this slice first (sessions/interact); an empty slice is propagated only as a correction after a first round", "a session with a non-empty mask");
        // A session may cover part of the slice: its mask goes back to slice coordinates.
        var full = mask.PlacedIn(volume.Width, volume.Height, (int)session.Mapping.OriginX, (int)session.Mapping.OriginY);
        return new Plan(session, volume, model, format, full, z);
    }

    /// <summary>The volume and the propagating model of a session, or a protocol error naming the session.</summary>
    public static (Volume Volume, IVolumeModel Model) Require(Session session, ModelRegistry registry)
    {
        if (session.Image.Volume is not { } volume || session.Region.Slice is null)
            throw Errors.Argument("sessionId", $"{session.Id} is on a 2D image; volume methods need a session created on a volume slice (sessions/create with slice)", "a session on a volume slice");
        if (session.Model.Model is not IVolumeModel model)
        {
            var volumeModels = registry.Entries.Where(e => e.IsReady && e.Model is IVolumeModel).Select(e => e.Manifest.Id).ToList();
            throw Errors.Argument("sessionId", $"model '{session.Model.Manifest.Id}' of {session.Id} segments single slices and cannot propagate through a volume; create the session with a volumetric model ({(volumeModels.Count > 0 ? string.Join(", ", volumeModels) : "none is ready")})",
                volumeModels.Count > 0 ? string.Join(", ", volumeModels) : "a torch/mem3d model");
        }
        return (volume, model);
    }

    /// <summary>
    /// The rounds of the session's volume and model: the same for every session on that volume, whichever
    /// images/open it came through, and after a restart (read from the state folder on first use).
    /// </summary>
    public Rounds For(Session session)
    {
        var volume = session.Image.Volume!;
        var key = (VolumeKey(session.Image), session.Model.Manifest.Id);
        return _rounds.GetOrAdd(key, k =>
        {
            var rounds = new Rounds();
            if (store?.Load(k.Volume, k.Model, volume.Width, volume.Height, volume.Depth) is { } saved)
            {
                foreach (var (z, rle) in saved.Interactive) rounds.Interactive[z] = rle;
                rounds.Latest = saved.Latest?.ToPropagation();
                Log.Info("read {0} interactive slice(s) and {1} of {2} with '{3}' from the state folder", rounds.Interactive.Count,
                    rounds.Latest is null ? "no propagation" : "the latest propagation", session.Image.Id, k.Model);
            }
            return rounds;
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

    /// <summary>The latest propagated mask of the session's slice, in session (raster) coordinates; null before any propagation.</summary>
    public Mask? PropagatedMask(Session session)
    {
        if (session.Image.Volume is not { } volume || session.Region.Slice is not { } z || session.Model.Model is not IVolumeModel) return null;
        var rounds = For(session);
        rounds.Gate.Wait();
        try
        {
            if (rounds.Latest is not { } latest) return null;
            return CocoRle.Decode(latest.SliceRle[z], volume.Width, volume.Height)
                .Crop((int)session.Mapping.OriginX, (int)session.Mapping.OriginY, session.Raster.Width, session.Raster.Height);
        }
        finally { rounds.Gate.Release(); }
    }

    public PropagateVolumeResult Run(Plan plan, IProgress<VolumeProgress>? progress, CancellationToken ct)
    {
        var rounds = For(plan.Session);
        rounds.Gate.Wait(ct);
        try
        {
            var interactive = new Dictionary<int, int[]>(rounds.Interactive) { [plan.Slice] = CocoRle.Encode(plan.SliceMask) };
            var slices = interactive.Select(kv => new InteractiveSlice(kv.Key, CocoRle.Decode(kv.Value, plan.Volume.Width, plan.Volume.Height))).ToList();
            VolumePropagation result;
            try { result = plan.Model.Propagate(plan.Volume, slices, plan.Slice, rounds.Latest, progress, ct); }
            catch (ArgumentException e) { throw Errors.Argument("sessionId", e.Message); }
            // Saved before it is answered: what the client is told happened survives a crash.
            store?.Save(new VolumeRoundsRecord
            {
                VolumeKey = VolumeKey(plan.Session.Image), ModelId = plan.Session.Model.Manifest.Id,
                Width = plan.Volume.Width, Height = plan.Volume.Height, Depth = plan.Volume.Depth,
                Interactive = interactive, Latest = VolumePropagationRecord.From(result),
            });
            rounds.Interactive[plan.Slice] = interactive[plan.Slice];
            rounds.Latest = result;
            Log.Info("{0}: propagated {1} from slice {2} ({3} interactive), {4:F1} s", plan.Session.Id, plan.Session.Image.Id, plan.Slice, slices.Count, result.Seconds);
            return ToResult(plan, result);
        }
        finally { rounds.Gate.Release(); }
    }

    public SuggestSliceResult Suggest(Session session, ModelRegistry registry, SliceRanking ranking)
    {
        Require(session, registry);
        var rounds = For(session);
        var latest = rounds.Latest
            ?? throw Errors.Argument("sessionId", $"nothing has been propagated on {session.Image.Id} with '{session.Model.Manifest.Id}' yet; call volumes/propagate first", "a session whose volume was propagated");
        int? best = SliceSuggestion.Suggest(latest, ranking);
        if (best is not { } z)
            throw Errors.Argument("sessionId", $"every slice of {session.Image.Id} has been segmented by the user; there is nothing left to suggest");
        return new SuggestSliceResult
        {
            SessionId = session.Id, Slice = z, Quality = Math.Round(latest.Quality[z], 4), Rank = SliceSuggestion.Name(ranking),
            ExpectedErrors = Math.Round(SliceSuggestion.ExpectedErrors(latest.Quality[z], latest.ForegroundPerSlice[z]), 1),
            InteractiveSlices = latest.InteractiveSlices,
        };
    }

    private static PropagateVolumeResult ToResult(Plan plan, VolumePropagation r)
    {
        var v = plan.Volume;
        return new PropagateVolumeResult
        {
            SessionId = plan.Session.Id, ImageId = plan.Session.Image.Id, ModelId = plan.Session.Model.Manifest.Id,
            Width = v.Width, Height = v.Height, Depth = v.Depth, StartSlice = plan.Slice, InteractiveSlices = r.InteractiveSlices,
            Format = plan.Format,
            Slices = plan.Format == FormatRle
                ? r.SliceRle.Select((rle, z) => new VolumeSliceMask { Slice = z, Rle = new RleDto { Size = [v.Height, v.Width], Counts = rle }, ForegroundPixels = r.ForegroundPerSlice[z] }).ToArray()
                : null,
            Nifti = plan.Format == FormatNifti ? NiftiBytes(v, r) : null,
            Quality = r.Quality.Select(q => Math.Round((double)q, 4)).ToArray(),
            SuggestedSlice = SliceSuggestion.Suggest(r, SliceRanking.LowestQuality),
            ForegroundVoxels = r.ForegroundPerSlice.Sum(),
            ModelMs = Math.Round(r.Seconds * 1000, 1),
            Notes = r.Notes,
        };
    }

    /// <summary>The per-slice masks as one .nii.gz on the source grid (the only place a dense mask exists, while encoding).</summary>
    private static byte[] NiftiBytes(Volume volume, VolumePropagation r)
    {
        var dense = new byte[volume.VoxelCount];
        for (int z = 0; z < volume.Depth; z++)
        {
            var slice = CocoRle.Decode(r.SliceRle[z], volume.Width, volume.Height);
            Array.Copy(slice.Data, 0, dense, (long)z * volume.SlicePixels, volume.SlicePixels);
        }
        using var stream = new MemoryStream();
        NiftiWriter.WriteMaskGzip(stream, volume, dense);
        return stream.ToArray();
    }
}
