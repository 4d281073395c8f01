using System.Security.Cryptography;
using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Encodings;

namespace SegBridge.Engine.Journal;

/// <summary>
/// The engine's state folder: <c>sessions/ID.jsonl</c> journals, <c>images/SHA256.png</c> copies of
/// images that clients sent as bytes (a file path is journalled as the path) and <c>volumes/HASH.json</c> rounds of
/// volume propagation. Images are stored as
/// lossless PNG of the decoded raster, so a restart decodes exactly the pixels the session saw.
/// </summary>
public sealed class JournalStore : IDisposable
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly FileStream _lock;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredImage, string> _blobs = new();

    public string Root { get; }
    public string SessionsDirectory => Path.Combine(Root, "sessions");
    public string ImagesDirectory => Path.Combine(Root, "images");
    /// <summary>Volume propagation rounds (<see cref="VolumeRoundsStore"/>).</summary>
    public string VolumesDirectory => Path.Combine(Root, "volumes");

    public JournalStore(string root)
    {
        Root = Path.GetFullPath(root);
        foreach (var dir in new[] { Root, SessionsDirectory, ImagesDirectory, VolumesDirectory })
        {
            Directory.CreateDirectory(dir);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Two engines appending to the same journals would corrupt them: hold an exclusive lock (flock on Linux).
        var lockPath = Path.Combine(Root, "engine.lock");
        try { _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new IOException($"the state folder {Root} is in use by another running engine; give this one its own --state-dir");
        }
        _lock.SetLength(0);
        _lock.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n"));
        _lock.Flush();
    }

    public void Dispose() => _lock.Dispose();

    public string JournalPath(string sessionId) => Path.Combine(SessionsDirectory, sessionId + ".jsonl");

    /// <summary>The create record for a new session, persisting the image's pixels first when they exist only in memory.</summary>
    public JournalRecord CreateRecord(string sessionId, string modelId, StoredImage image, SessionRegion region, string? initialMask = null, int[]? propagatedMask = null)
    {
        string? blob = null, path = null;
        if (image.Origin is ImageOrigin.File f) path = f.Path;
        else blob = _blobs.GetValue(image, StoreBlob);
        return new JournalRecord
        {
            Op = "create", SessionId = sessionId, ModelId = modelId, ImagePath = path, ImageBlob = blob, ImageName = image.Name,
            Region = [region.X, region.Y, region.Width, region.Height], Downsample = region.Downsample, Slice = region.Slice, InitialMask = initialMask, PropagatedMask = propagatedMask,
            Utc = DateTime.UtcNow.ToString("O"),
        };
    }

    /// <summary>
    /// Writes an in-memory image as a content-addressed PNG once per opened image (sessions on the same
    /// image share it; an annotator opens many sessions per image) and returns its file name.
    /// </summary>
    private string StoreBlob(StoredImage image)
    {
        // Slides always come from files. A volume sent as bytes is kept as sent: it has no PNG form, and
        // its file (usually .nii.gz) is smaller than any re-encoding.
        var (bytes, ext) = image.Origin is ImageOrigin.VolumeBytes v
            ? (v.Encoded, v.Encoded is [0x1F, 0x8B, ..] ? ".nii.gz" : ".nii")
            : (MaskPng.EncodeRgb(image.Raster!), ".png");
        var blob = Convert.ToHexStringLower(SHA256.HashData(bytes)) + ext;
        var target = Path.Combine(ImagesDirectory, blob);
        if (File.Exists(target)) return blob;
        try { DurableFile.Replace(target, file => file.Write(bytes)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No half-written copy stays behind (DurableFile), and the session it was for is refused.
            Log.Warn("could not store the image of a new session under {0}: {1}", ImagesDirectory, e.Message);
            throw JournalUnavailableException.Refused("the new session's image", e);
        }
        return blob;
    }

    public IEnumerable<string> JournalFiles() => Directory.EnumerateFiles(SessionsDirectory, "*.jsonl").Order(StringComparer.Ordinal);

    /// <summary>Moves a journal that cannot be restored aside, so it is kept for a human but not retried.</summary>
    public void SetAside(string journalFile, string reason)
    {
        var target = journalFile + ".unrestorable";
        File.Move(journalFile, target, overwrite: true);
        Log.Error("journal {0} could not be restored ({1}); kept as {2}", journalFile, reason, target);
    }

    public string BlobPath(string blob)
    {
        if (blob.Contains('/') || blob.Contains("..")) throw new InvalidDataException($"bad image blob name '{blob}'");
        return Path.Combine(ImagesDirectory, blob);
    }
}
