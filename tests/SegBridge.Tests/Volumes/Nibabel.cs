using System.Text.Json;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Volumes;

/// <summary>Runs tests/volumes/nibabel_reference.py with Debian's /usr/bin/python3 and says why when nibabel is missing.</summary>
public static class Nibabel
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(SlideTools.Python)) return $"{SlideTools.Python} is missing; test skipped";
        var (code, _, stderr) = SlideTools.Run(SlideTools.Python, ["-c", "import nibabel, numpy"]);
        return code == 0 ? null : $"nibabel is not importable by {SlideTools.Python} (apt-get install python3-nibabel): {stderr.Trim().Split('\n')[^1]}; test skipped";
    });

    /// <summary>Null when nibabel can be used, else the reason to skip.</summary>
    public static string? SkipReason => Missing.Value;

    private static string Script => Path.Combine(RepoPaths.Root, "tests", "volumes", "nibabel_reference.py");

    private static string Run(params string[] args)
    {
        var (code, stdout, stderr) = SlideTools.Run(SlideTools.Python, [Script, .. args]);
        if (code != 0) throw new Exception($"nibabel_reference.py {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout;
    }

    /// <summary>Writes the fixtures into <paramref name="dir"/>; returns manifest.json's entries.</summary>
    public static JsonElement[] WriteFixtures(string dir)
    {
        Run("write", dir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>nibabel's view of a file: header facts and its scaled voxels (x fastest).</summary>
    public static (JsonElement Info, double[] Values) Read(string file)
    {
        var raw = file + ".nibabel.f8";
        try
        {
            using var doc = JsonDocument.Parse(Run("read", file, raw));
            return (doc.RootElement.Clone(), ReadDoubles(raw));
        }
        finally { File.Delete(raw); }
    }

    public static JsonElement Stats(string file)
    {
        using var doc = JsonDocument.Parse(Run("stats", file));
        return doc.RootElement.Clone();
    }

    public static double[] ReadDoubles(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static double[,] Matrix(JsonElement rows)
    {
        var m = new double[4, 4];
        int r = 0;
        foreach (var row in rows.EnumerateArray())
        {
            int c = 0;
            foreach (var v in row.EnumerateArray()) m[r, c++] = v.GetDouble();
            r++;
        }
        return m;
    }

    public static void AssertMatrixEqual(double[,] expected, double[,] actual, double tolerance, string what)
    {
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) <= tolerance, $"{what}[{r},{c}]: nibabel {expected[r, c]}, ours {actual[r, c]}");
    }
}
