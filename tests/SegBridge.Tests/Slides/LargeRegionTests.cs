using System.Diagnostics;
using SegBridge.Engine.Inference;
using SegBridge.Imaging.Slides;
using SegBridge.Models.Guide;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Slides;

/// <summary>
/// A 20 000 × 15 000 slide (0.25 µm per pixel) read at 0.5 µm per pixel: a 10 000 × 7 500 working raster in
/// hundreds of tiles. The live managed heap, sampled with full collections during the run, must stay within
/// the tile cache's capacity + the blender's strip + 16 MB — independent of the region's height and of the
/// area the tissue covers (a float map would be 300 MB, a byte mask 75 MB); and Ctrl-C on the CLI stops it cleanly.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed class LargeRegionTests(LargeBlobSlide big, ITestOutputHelper output) : IClassFixture<LargeBlobSlide>
{
    // Two rows of 512² RGB cache tiles across the 10 000-pixel-wide level: every tile is decoded once.
    private const long CacheBytes = 48L << 20;

    [SkippableFact]
    public void Memory_stays_bounded_on_a_large_region()
    {
        using var slide = big.Open();
        var plan = SlideRegionPlan.ForMpp(slide, 0, 0, slide.Width, slide.Height, 0.5);
        var reader = new CachedSlideReader(slide, new SlideTileCache(CacheBytes));
        var detector = new TissueDetector(2, 0.05, 0.2, 20_000, 10_000, 512, 32, 2);
        long baseline = GC.GetTotalMemory(true), peak = 0;
        var progress = SyncProgress.Create(p =>
        {
            if (p.Done % 32 == 0 || p.Done == p.Total) peak = Math.Max(peak, GC.GetTotalMemory(true) - baseline);
        });
        var clock = Stopwatch.StartNew();
        var result = RegionInference.Run(plan, reader, detector, 1, progress);
        long workingPixels = (long)plan.Width * plan.Height;
        output.WriteLine($"{plan}; {result.Tiles} tiles in {clock.Elapsed.TotalSeconds:0.0} s; peak live heap above baseline {peak / 1e6:0.0} MB " +
                         $"vs {workingPixels / 1e6:0.0} MB for a byte mask; run-length mask {result.MaskBytes / 1e3:0.0} kB; blender strip {TileBlender.StripBytes(new TiledRegion(plan.Width, plan.Height, 512, 32)) / 1e6:0.0} MB");
        Assert.Equal(2, result.Polygons.Length);
        Assert.InRange(result.ForegroundPixels * plan.Downsample * plan.Downsample, big.ExpectedArea * 0.97, big.ExpectedArea * 1.03);
        // The budget: the cache's capacity, the blender's strip, and 16 MB for one tile's buffers, the overview and the polygons.
        long budget = CacheBytes + TileBlender.StripBytes(new TiledRegion(plan.Width, plan.Height, 512, 32)) + (16L << 20);
        Assert.True(peak < budget, $"peak live heap {peak} bytes is over the budget of {budget}");
    }

    [SkippableFact]
    public async Task Ctrl_C_cancels_the_cli_between_tiles_and_writes_nothing()
    {
        Skip.If(big.SkipReason is not null, big.SkipReason);
        var outFile = Path.Combine(big.Directory, "cancelled.geojson");
        var psi = new ProcessStartInfo(RepoPaths.Engine) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "infer-slide", big.TiffPath!, "--model", "tissue", "--mpp", "0.25", "--out", outFile, "--log-file", EngineCli.TestLog })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); if (e.Data?.Contains(" tiles ") == true) started.TrySetResult(); };
        p.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) await kill.WaitForExitAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        string err; lock (stderr) err = stderr.ToString();
        output.WriteLine(err);
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("cancelled after", err);
        Assert.False(File.Exists(outFile));
    }
}

/// <summary>
/// Tests that read the process-wide live heap run alone: in parallel with other test classes (the TorchSharp ones
/// allocate large arrays) the measurement would include their allocations.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}
