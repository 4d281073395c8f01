using System.Runtime.InteropServices;
using SegBridge.Engine.Files;

namespace SegBridge.Host.Transports.Unix;

/// <summary>
/// Who owns a file and what kind it is, without following a symbolic link (the engine's <see cref="FileStatus"/>,
/// statx(2)), in the terms the pipe's checks use.
/// </summary>
internal readonly record struct FileOwner(uint Uid, UnixFileMode Mode, FileOwner.Kind Type)
{
    public enum Kind { Other, Directory, Socket, SymbolicLink, Regular }

    /// <summary>The effective user id of this process.</summary>
    public static uint CurrentUid => geteuid();

    /// <summary>Null when nothing is at <paramref name="path"/>; throws for any other failure.</summary>
    public static FileOwner? Of(string path)
    {
        if (FileStatus.Of(path, followLinks: false, out var errno) is not { } status)
        {
            if (errno == 2 /* ENOENT */) return null;
            throw new IOException($"cannot read the owner of {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var type = status.Type switch
        {
            FileStatus.Directory => Kind.Directory,
            FileStatus.Socket => Kind.Socket,
            FileStatus.SymbolicLink => Kind.SymbolicLink,
            FileStatus.Regular => Kind.Regular,
            _ => Kind.Other,
        };
        return new FileOwner(status.Uid, status.Permissions, type);
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}
