using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SegBridge.Engine.Files;

namespace SegBridge.Engine.Images;

/// <summary>
/// Opens a file a client named for reading, only when it is a regular file. A FIFO would block open() and
/// read() until some writer appears (stalling the connection), a directory or device is no image, so the type is
/// checked with statx before opening, the file is opened with O_NONBLOCK (a FIFO swapped in after the check
/// cannot block the open either) and checked again on the opened descriptor.
/// </summary>
public static partial class RegularFile
{
    private const int O_RDONLY = 0, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

    /// <summary>
    /// Opens <paramref name="path"/> (already resolved) for reading. <paramref name="shown"/> is the path as the
    /// client gave it: messages name that, never the engine's resolved path.
    /// </summary>
    public static FileStream OpenRead(string path, string shown)
    {
        if (OperatingSystem.IsWindows()) return OpenPortable(path, shown);
        if (FileStatus.Of(path, followLinks: true, out _) is { } before && before.Type != FileStatus.Regular) throw NotRegular(shown, before.Type);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) throw Unreadable(shown, Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var opened = FileStatus.OfDescriptor(fd, out var errno) ?? throw Unreadable(shown, errno);
            if (opened.Type != FileStatus.Regular) throw NotRegular(shown, opened.Type);
            return new FileStream(handle, FileAccess.Read, bufferSize: 1 << 16);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static FileStream OpenPortable(string path, string shown)
    {
        if (Directory.Exists(path)) throw NotRegular(shown, FileStatus.Directory);
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImageFileException($"cannot read '{shown}': access denied or in use", "a readable image file"); }
    }

    private static ImageFileException NotRegular(string shown, int type)
    {
        var kind = type switch
        {
            FileStatus.Directory => "a folder", FileStatus.Fifo => "a FIFO (named pipe)", FileStatus.CharacterDevice => "a character device",
            FileStatus.BlockDevice => "a block device", FileStatus.Socket => "a socket", _ => "not a plain file",
        };
        return new ImageFileException($"'{shown}' is {kind}, not a regular file; images/open reads image files only", "a regular image file");
    }

    private static ImageFileException Unreadable(string shown, int errno) => new(errno switch
    {
        13 or 1 => $"cannot read '{shown}': permission denied",
        2 => $"no such file: {shown}",
        _ => $"cannot read '{shown}' (error {errno})",
    }, "a readable image file");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);
}

/// <summary>A file named by a client that cannot be an image: not a regular file (a folder, FIFO or device), or unreadable.</summary>
public sealed class ImageFileException(string message, string allowed) : EngineException(message, "path", allowed);
