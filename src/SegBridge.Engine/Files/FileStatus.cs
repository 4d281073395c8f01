using System.Runtime.InteropServices;

namespace SegBridge.Engine.Files;

/// <summary>
/// What Linux statx(2) says of a file: its owner and mode (type bits included). System.IO exposes the mode but not
/// the owner, and statx's record has one layout on every architecture (stat's does not): stx_uid is a u32 at byte
/// 20, stx_mode a u16 at byte 28. Used for the image files clients name and for the pipe's socket and folder.
/// </summary>
public readonly partial record struct FileStatus(uint Uid, int Mode)
{
    public const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000, Fifo = 0x1000, CharacterDevice = 0x2000,
        BlockDevice = 0x6000, Socket = 0xC000, SymbolicLink = 0xA000;

    /// <summary>The S_IFMT bits: <see cref="Regular"/>, <see cref="Directory"/>, …</summary>
    public int Type => Mode & TypeMask;
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8;

    /// <summary>The file at <paramref name="path"/> (the link itself unless <paramref name="followLinks"/>); null with the errno when statx fails.</summary>
    public static FileStatus? Of(string path, bool followLinks, out int errno) => Read(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, out errno);

    /// <summary>The file an open descriptor refers to; null with the errno when statx fails.</summary>
    public static FileStatus? OfDescriptor(int fd, out int errno) => Read(fd, "", AtEmptyPath, out errno);

    private static FileStatus? Read(int dirFd, string path, int flags, out int errno)
    {
        var record = new byte[256];
        if (statx(dirFd, path, flags, StatxType | StatxMode | StatxUid, record) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        errno = 0;
        return new FileStatus(BitConverter.ToUInt32(record, 20), BitConverter.ToUInt16(record, 28));
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirFd, string path, int flags, uint mask, byte[] buffer);
}
