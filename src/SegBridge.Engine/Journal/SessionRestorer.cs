using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Codecs;

namespace SegBridge.Engine.Journal;

/// <summary>
/// Rebuilds the sessions that were open when the engine stopped (or crashed) by replaying their
/// journals: same ids, same interactions, same masks (the models are deterministic).
/// </summary>
public static class SessionRestorer
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static int RestoreAll(SegBridgeEngine engine, JournalStore store)
    {
        int restored = 0;
        foreach (var file in store.JournalFiles())
        {
            var (records, validLength, damage) = SessionJournal.Read(file);
            if (damage is not null) Log.Warn("journal {0}: {1}", file, damage);
            try
            {
                var session = Rebuild(engine, store, records);
                session.Journal = SessionJournal.Reopen(file, validLength);
                engine.Sessions.Add(session);
                restored++;
                Log.Info("restored {0} ({1} interactions) from {2}", session.Id, session.InteractionCount, file);
            }
            catch (Exception e) when (e is InvalidDataException or ImageDecodeException or IOException or Protocol.ProtocolException or ArgumentException)
            {
                store.SetAside(file, e.Message);
            }
        }
        return restored;
    }

    private static Session Rebuild(SegBridgeEngine engine, JournalStore store, List<Journal.JournalRecord> records)
    {
        if (records.Count == 0 || records[0] is not { Op: "create", SessionId: { } id, ModelId: { } modelId } create)
            throw new InvalidDataException("journal does not start with a create record");
        if (!engine.Registry.TryGet(modelId, out var model) || !model.IsReady)
            throw new InvalidDataException($"model '{modelId}' is not available in this engine");
        var image = create.ImagePath is { } path ? engine.Opener.OpenFile(path, create.ImageName) : OpenBlob(engine, store, create);
        var region = create.Region is [var x, var y, var w, var h]
            ? new SessionRegion(x, y, w, h, create.Downsample, create.Slice)
            : new SessionRegion(0, 0, image.Width, image.Height, 1, create.Slice);
        var (raster, mapping) = engine.Planner.Read(image, region);
        var session = new Session(id, image, model, raster, mapping, region);
        if (create.PropagatedMask is { } propagated) session.StartFromPropagated(propagated);
        else if (create.InitialMask is { } guideId)
        {
            if (!engine.Registry.TryGet(guideId, out var guide) || !guide.IsReady)
                throw new InvalidDataException($"guide model '{guideId}' of the initial mask is not available in this engine");
            session.StartFrom(guide, CancellationToken.None);
        }
        foreach (var record in records.Skip(1)) session.Replay(record, CancellationToken.None);
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
