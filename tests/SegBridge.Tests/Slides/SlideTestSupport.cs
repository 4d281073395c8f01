using System.Diagnostics;
using System.Text.Json;
using SegBridge.Imaging.Slides;
using SegBridge.Tests.Support;
using SkiaSharp;

namespace SegBridge.Tests.Slides;

/// <summary>Runs tools the slide tests need (vips, Debian's python3 with openslide) and says why when they are missing.</summary>
public static class SlideTools
{
    public static string? OpenSlideMissing => SlideImage.IsLibraryAvailable(out var reason) ? null : reason + "; test skipped";

    public static string? VipsMissing => Which("vips") is null ? "vips not found: apt-get install libvips-tools; test skipped" : null;

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public static (int Code, string Stdout, string Stderr) Run(string exe, IEnumerable<string> args, int timeoutMs = 120_000)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); throw new TimeoutException($"{exe} {string.Join(' ', psi.ArgumentList)} timed out"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public const string Python = "/usr/bin/python3";

    /// <summary>openslide-python's pixels for each spec (see tests/slides/read_region_reference.py), or a skip reason.</summary>
    public static (JsonElement Info, List<byte[]> Outputs)? Reference(string slide, IReadOnlyList<string> specs, out string? skipReason)
    {
        skipReason = null;
        if (!File.Exists(Python)) { skipReason = "Debian's /usr/bin/python3 is missing; test skipped"; return null; }
        var script = Path.Combine(RepoPaths.Root, "tests", "slides", "read_region_reference.py");
        var outFile = Path.Combine(Path.GetTempPath(), $"segbridge-slide-ref-{Guid.NewGuid():N}.bin");
        try
        {
            var (code, stdout, stderr) = Run(Python, new[] { script, slide, outFile }.Concat(specs));
            if (code == 3) { skipReason = stderr.Trim() + "; test skipped"; return null; }
            if (code != 0) throw new Exception($"reference script failed ({code}): {stderr}");
            using var doc = JsonDocument.Parse(stdout);
            var info = doc.RootElement.Clone();
            var all = File.ReadAllBytes(outFile);
            var outputs = new List<byte[]>();
            int offset = 0;
            foreach (var size in info.GetProperty("sizes").EnumerateArray())
            {
                int n = size[2].GetInt32();
                outputs.Add(all.AsSpan(offset, n).ToArray());
                offset += n;
            }
            return (info, outputs);
        }
        finally { File.Delete(outFile); }
    }
}

/// <summary>
/// A pyramidal generic TIFF the tests draw themselves: 2000×1500 white, a red rectangle, a blue rectangle
/// and a green disk, saved by `vips tiffsave --tile --pyramid --compression jpeg` with 256² tiles and a
/// resolution of 4 px/mm × 5 px/mm (mpp 250 × 200). Built once per test class.
/// </summary>
public sealed class SyntheticSlide : IDisposable
{
    public const int Width = 2000, Height = 1500;
    public static readonly (int X0, int Y0, int X1, int Y1) Red = (200, 300, 800, 900);
    public static readonly (int X0, int Y0, int X1, int Y1) Blue = (1200, 200, 1800, 700);
    public static readonly (int Cx, int Cy, int R) Green = (1000, 1150, 250);
    public static readonly byte[] RedRgb = [220, 30, 30], BlueRgb = [30, 40, 210], GreenRgb = [40, 180, 60], WhiteRgb = [255, 255, 255];

    public string Directory { get; }
    public string? TiffPath { get; }
    public string? PngPath { get; }
    public string? SkipReason { get; }

    public SyntheticSlide()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"segbridge-slides-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        SkipReason = SlideTools.OpenSlideMissing ?? SlideTools.VipsMissing;
        if (SkipReason is not null) return;
        PngPath = Path.Combine(Directory, "synthetic.png");
        File.WriteAllBytes(PngPath, DrawPng());
        TiffPath = Path.Combine(Directory, "synthetic.tif");
        var (code, _, err) = SlideTools.Run("vips", ["tiffsave", PngPath, TiffPath, "--tile", "--pyramid", "--compression", "jpeg",
            "--tile-width", "256", "--tile-height", "256", "--xres", "4", "--yres", "5"]);
        if (code != 0) throw new Exception($"vips tiffsave failed: {err}");
    }

    public static byte[] ExpectedColour(int x, int y)
    {
        if (x >= Red.X0 && x < Red.X1 && y >= Red.Y0 && y < Red.Y1) return RedRgb;
        if (x >= Blue.X0 && x < Blue.X1 && y >= Blue.Y0 && y < Blue.Y1) return BlueRgb;
        if ((x + 0.5 - Green.Cx) * (x + 0.5 - Green.Cx) + (y + 0.5 - Green.Cy) * (y + 0.5 - Green.Cy) <= Green.R * Green.R) return GreenRgb;
        return WhiteRgb;
    }

    private static byte[] DrawPng()
    {
        using var bmp = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
            paint.Color = new SKColor(RedRgb[0], RedRgb[1], RedRgb[2]);
            canvas.DrawRect(SKRect.Create(Red.X0, Red.Y0, Red.X1 - Red.X0, Red.Y1 - Red.Y0), paint);
            paint.Color = new SKColor(BlueRgb[0], BlueRgb[1], BlueRgb[2]);
            canvas.DrawRect(SKRect.Create(Blue.X0, Blue.Y0, Blue.X1 - Blue.X0, Blue.Y1 - Blue.Y0), paint);
            paint.Color = new SKColor(GreenRgb[0], GreenRgb[1], GreenRgb[2]);
            canvas.DrawCircle(Green.Cx, Green.Cy, Green.R, paint);
        }
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Opens the slide, or skips the calling [SkippableFact] when OpenSlide or vips is missing.</summary>
    public SlideImage Open()
    {
        Skip.If(SkipReason is not null, SkipReason);
        return SlideImage.Open(TiffPath!);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
