using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Codecs;

namespace SegBridge.Engine.Journal;

/// <summary>
/// Rebuilds the sessions that were open when the engine stopped (or crashed) by replaying their
/// journals: same ids, same interactions, same masks (the models are deterministic). A damaged record is
/// quarantined (<see cref="JournalRepair"/>) and every good record around it replayed.
/// </summary>
public static class SessionRestorer
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static int RestoreAll(SegBridgeEngine engine, JournalStore store)
    {
        int restored = 0;
        foreach (var file in store.JournalFiles())
        {
            var reading = JournalReader.Read(file);
            var kept = new List<JournalEntry>();
            var damaged = new List<DamagedSpan>(reading.Damaged);
            Session session;
            try { session = Rebuild(engine, store, reading.Entries, kept, damaged); }
            catch (Exception e) when (e is InvalidDataException or ImageDecodeException or IOException or EngineException or ArgumentException)
            {
                store.SetAside(file, e.Message);
                continue;
            }
            try
            {
                JournalRepair.Quarantine(file, reading.Bytes, kept, damaged.OrderBy(d => d.Offset).ToList());
                session.Journal = SessionJournal.Reopen(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // E.g. a full disk at start-up: the journal stays exactly as it was and is read again next time.
                Log.Error("journal {0} has damaged records that could not be quarantined ({1}); left as it is, not restored this time", file, e.Message);
                continue;
            }
            engine.Sessions.Add(session);
            restored++;
            Log.Info("restored {0} ({1} interactions) from {2}", session.Id, session.InteractionCount, file);
        }
        return restored;
    }

    /// <summary>
    /// The session of a journal's create record with every later record replayed. A record that cannot be replayed
    /// (unknown op, an interaction the model refuses) joins <paramref name="damaged"/>; the rest go to <paramref name="kept"/>.
    /// </summary>
    private static Session Rebuild(SegBridgeEngine engine, JournalStore store, IReadOnlyList<JournalEntry> entries, List<JournalEntry> kept, List<DamagedSpan> damaged)
    {
        if (entries.Count == 0 || entries[0].Record is not { Op: "create", SessionId: { } id, ModelId: { } modelId } create)
            throw new InvalidDataException("journal does not start with a create record");
        if (!engine.Registry.TryGet(modelId, out var model) || !model.IsReady)
            throw new InvalidDataException($"model '{modelId}' is not available in this engine");
        var image = create.ImagePath is { } path ? engine.Opener.OpenFile(path, create.ImageName) : OpenBlob(engine, store, create);
        var region = create.Region is [var x, var y, var w, var h]
            ? new SessionRegion(x, y, w, h, create.Downsample, create.Slice)
            : new SessionRegion(0, 0, image.Width, image.Height, 1, create.Slice);
        var (raster, mapping) = engine.Planner.Read(image, region);
        var start = SessionStart.Empty;
        if (create.PropagatedMask is { } propagated) start = new SessionStart.Propagated(propagated);
        else if (create.InitialMask is { } guideId)
        {
            if (!engine.Registry.TryGet(guideId, out var guide) || !guide.IsReady)
                throw new InvalidDataException($"guide model '{guideId}' of the initial mask is not available in this engine");
            start = new SessionStart.Guide(guide);
        }
        var session = new Session(id, image, model, raster, mapping, region, start);
        kept.Add(entries[0]);
        foreach (var entry in entries.Skip(1))
        {
            try
            {
                session.Replay(entry.Record, CancellationToken.None);
                kept.Add(entry);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                damaged.Add(new DamagedSpan(entry.Offset, entry.Length, $"the record could not be replayed ({e.Message})"));
            }
        }
        return session;
    }

    /// <summary>An image the client had sent as bytes: a lossless PNG of the raster, or a volume's file as sent.</summary>
    private static StoredImage OpenBlob(SegBridgeEngine engine, JournalStore store, JournalRecord create)
    {
        var blob = create.ImageBlob ?? throw new InvalidDataException("create record names no image");
        var bytes = File.ReadAllBytes(store.BlobPath(blob));
        return blob.EndsWith(".nii", StringComparison.Ordinal) || blob.EndsWith(".nii.gz", StringComparison.Ordinal)
            ? engine.Opener.OpenVolumeBytes(bytes, create.ImageName)
            : engine.Images.Add(ImageDecoder.Decode(bytes, engine.Options.MaxImagePixels), create.ImageName, new ImageOrigin.Bytes());
    }
}
