namespace SegBridge.Engine.Journal;

/// <summary>
/// The state folder could not take a record, so the change it describes was refused and is not applied. The message
/// says why in words a user can act on and never names the engine's own paths (clients may not know or see them).
/// </summary>
public sealed class JournalUnavailableException(string message, Exception? inner = null)
    : EngineException(message, "stateDir", "a state folder with free space that the engine can write", inner)
{
    /// <summary>Describes a failed write of <paramref name="what"/> (e.g. "this interaction") from the I/O error's errno.</summary>
    public static JournalUnavailableException Refused(string what, Exception e)
        => new($"the engine could not journal {what}, so nothing changed: {Reason(e)}; {Remedy(e)}, then retry", e);

    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "the state folder is not writable (permission denied)",
        // On Linux .NET puts the errno in HResult; its message repeats the path, so it is not passed on.
        IOException { HResult: 28 } => "no space left on the device that holds the state folder",
        IOException { HResult: 122 } => "the disk quota of the state folder is exceeded",
        IOException { HResult: 30 } => "the state folder is on a read-only file system",
        IOException { HResult: 5 } => "the device that holds the state folder reported an I/O error",
        IOException { HResult: var errno } when errno is > 0 and < 4096 => $"writing to the state folder failed (errno {errno})",
        _ => "writing to the state folder failed",
    };

    private static string Remedy(Exception e) => e switch
    {
        IOException { HResult: 28 or 122 } => "free space in the engine's state folder",
        _ => "check the engine's state folder (its log names it)",
    };
}
