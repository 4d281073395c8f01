using SegBridge.Host.Transports.Unix;

namespace SegBridge.Host.Transports;

/// <summary>
/// Where `--pipe NAME` puts its socket: in a folder only the engine's user can enter, so nobody else can connect,
/// bind the name first (squat it) or swap the socket. The folder is `$XDG_RUNTIME_DIR/segbridge` when
/// XDG_RUNTIME_DIR names a folder of this user's, else `$TMPDIR/segbridge-UID` (TMPDIR defaulting to /tmp). A
/// NAME starting with '/' is the socket path itself, used as given. The clients find the socket by the same rule.
/// </summary>
internal static class PipeLocation
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOthers = (UnixFileMode)0b000_111_111;

    /// <summary>The socket path for <paramref name="name"/> (the folder is not created here).</summary>
    public static string SocketPath(string name)
    {
        if (name.StartsWith('/')) return name;
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
            throw new CommandException($"--pipe '{name}': give a plain name (no '/') or an absolute socket path");
        return Path.Combine(Folder(), name);
    }

    /// <summary>The owner-only folder the pipe names live in.</summary>
    public static string Folder()
    {
        var uid = FileOwner.CurrentUid;
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtime) && runtime.StartsWith('/') && FileOwner.Of(runtime) is { Type: FileOwner.Kind.Directory } r && r.Uid == uid)
            return Path.Combine(runtime, "segbridge");
        var tmp = Environment.GetEnvironmentVariable("TMPDIR");
        if (string.IsNullOrEmpty(tmp)) tmp = "/tmp";
        return Path.Combine(tmp, $"segbridge-{uid}");
    }

    /// <summary>
    /// Creates the folder of a named pipe (mode 0700) or checks the one that is there: it must be a real folder
    /// (not a link), this user's, and closed to group and others. Anything else may be another user's trap.
    /// A socket path given as '/…' is the caller's choice and its folder is left as it is.
    /// </summary>
    public static void PrepareFolder(string name)
    {
        if (OperatingSystem.IsWindows()) throw new CommandException("--pipe serves a Unix domain socket; it needs Linux");
        if (name.StartsWith('/')) return;
        var folder = Folder();
        if (FileOwner.Of(folder) is null)
        {
            try { Directory.CreateDirectory(folder, OwnerOnly); }
            catch (IOException) { } // made meanwhile by someone: checked below like any folder found there
            catch (UnauthorizedAccessException e) { throw new CommandException($"cannot create the pipe folder {folder}: {e.Message}"); }
        }
        var found = FileOwner.Of(folder) ?? throw new CommandException($"cannot create the pipe folder {folder}");
        var uid = FileOwner.CurrentUid;
        string? problem = null;
        if (found.Type != FileOwner.Kind.Directory) problem = $"it is a {found.Type.ToString().ToLowerInvariant()}, not a folder";
        else if (found.Uid != uid) problem = $"it belongs to user id {found.Uid}, not to you (user id {uid})";
        else if ((found.Mode & GroupOrOthers) != 0) problem = $"its mode is {Convert.ToString((int)found.Mode, 8).PadLeft(4, '0')}, open to others";
        if (problem is not null)
            throw new CommandException($"refusing the pipe folder {folder}: {problem}. It must be a folder of yours with mode 0700, " +
                                       "so that nobody else can reach or replace the socket; remove it, or give --pipe an absolute socket path");
    }
}
