namespace SegBridge.Tests.Support;

/// <summary>Where the repository, the built engine and the shared data are, seen from a test run.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The real `segbridge` executable: $SEGBRIDGE_EXE, else the Host build of the same configuration as these tests.</summary>
    public static string Engine
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("SEGBRIDGE_EXE");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var path = Path.Combine(Root, "src", "SegBridge.Host", "bin", configuration, "net10.0", "segbridge");
            return File.Exists(path) ? path
                : throw new FileNotFoundException($"the engine is not built at {path}; run `dotnet build SegBridge.sln -c {configuration}` or set SEGBRIDGE_EXE");
        }
    }

    /// <summary>The shared data folder ($SEGBRIDGE_DATA, default ../shared/data beside the repository), or null when absent.</summary>
    public static string? Data
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("SEGBRIDGE_DATA");
            if (string.IsNullOrEmpty(dir)) dir = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    public const string NoDataMessage = "shared data not found: set SEGBRIDGE_DATA to the folder holding grabcut/, glas/, … (default ../shared/data beside the repository); test skipped";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegBridge.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no SegBridge.sln above {AppContext.BaseDirectory}");
    }
}
