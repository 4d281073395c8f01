using System.Runtime.InteropServices;

namespace SegBridge.Engine.Images;

/// <summary>
/// Decides which files images/open may read. Paths from clients are resolved with realpath (so "..",
/// symlinks and bind tricks cannot step outside) and must lie inside one of the configured roots.
/// </summary>
public static partial class PathPolicy
{
    /// <summary>
    /// The resolved path of a file or folder, or null when it does not exist; with no roots (in-process use
    /// by the CLI) any path is allowed. Throws <see cref="PathOutsideRootsException"/> outside the roots.
    /// </summary>
    public static string? Resolve(string path, IReadOnlyList<string>? roots)
    {
        var full = Path.GetFullPath(path);
        if (roots is null) return File.Exists(full) || Directory.Exists(full) ? full : null;
        var real = RealPath(full);
        if (real is null) return null;
        foreach (var root in roots)
        {
            var realRoot = RealPath(Path.GetFullPath(root));
            if (realRoot is null) continue;
            if (real == realRoot || real.StartsWith(realRoot.TrimEnd('/') + "/", StringComparison.Ordinal)) return real;
        }
        throw new PathOutsideRootsException(path, roots);
    }

    private static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path) || Directory.Exists(path) ? path : null;
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);
}

/// <summary>
/// A path outside the engine's roots. The message names the path as the client gave it and not the roots: whether a
/// client may see the engine's folders is the protocol face's decision (a local viewer may, a WebSocket page may not).
/// </summary>
public sealed class PathOutsideRootsException(string path, IReadOnlyList<string> roots)
    : UnauthorizedAccessException($"'{path}' is outside the folders this engine may read; start it with --allow-root DIR to add one")
{
    public IReadOnlyList<string> Roots { get; } = roots;
}
