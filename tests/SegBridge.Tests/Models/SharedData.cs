namespace SegBridge.Tests.Models;

/// <summary>
/// Finds the project's shared real data: $SEGBRIDGE_DATA, else ../shared/data beside the
/// repository root (the folder holding SegBridge.sln, found by walking up from the test binaries).
/// </summary>
public static class SharedData
{
    public const string HowToPoint = "set SEGBRIDGE_DATA to the shared data folder (the one holding grabcut/), or place it at ../shared/data beside the repository root";

    /// <summary>The folder, or null when it is absent (a fresh clone without data).</summary>
    public static string? Root()
    {
        var env = Environment.GetEnvironmentVariable("SEGBRIDGE_DATA");
        if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "SegBridge.sln"))) continue;
            var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
            return Directory.Exists(data) ? data : null;
        }
        return null;
    }
}
