using System.Diagnostics;

namespace SegBridge.Tests.Support;

/// <summary>
/// A tmpfs of a few kilobytes the test can fill to the last byte, so a full disk is real and not simulated.
/// Mounting needs root (or CAP_SYS_ADMIN); <see cref="TryMount"/> says why when it cannot.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    public string Path { get; }

    private SmallTmpfs(string path) => Path = path;

    /// <summary>Mounts one (size as mount takes it, e.g. "1m"), or returns null and the reason it cannot.</summary>
    public static (SmallTmpfs? Mount, string? WhyNot) TryMount(string size)
    {
        if (!Environment.IsPrivilegedProcess) return (null, "mounting a tmpfs needs root");
        var dir = Directory.CreateTempSubdirectory("segbridge-tmpfs").FullName;
        var (code, err) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", dir);
        if (code == 0) return (new SmallTmpfs(dir), null);
        Directory.Delete(dir);
        return (null, $"this root cannot mount a tmpfs ({err.Trim()})");
    }

    /// <summary>Writes a file until the tmpfs has not one byte left; deleting it gives the room back.</summary>
    public string FillUp()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var fs = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var chunk in new[] { 65536, 4096, 1 })
        {
            var bytes = new byte[chunk];
            try { while (true) fs.Write(bytes); }
            catch (IOException) { }
        }
        return filler;
    }

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static (int Code, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }
}
