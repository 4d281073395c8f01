using NLog;

namespace SegBridge.Engine.Journal;

/// <summary>
/// Replaces a file so that a crash leaves either the old contents or the new, never a mix: the new contents go to a
/// temporary file beside it, are flushed to disk, and the temporary file is renamed over the target. When anything
/// fails the temporary file is removed (it would only take room that may be missing) and the error goes on to the
/// caller, which decides what the failure means.
/// </summary>
internal static class DurableFile
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static void Replace(string target, Action<Stream> write)
    {
        // A unique name: two writers of the same target (two images with the same pixels) must not share one.
        var tmp = $"{target}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(tmp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { Log.Error("could not remove {0}: {1}", tmp, cleanup.Message); }
            throw;
        }
    }
}
