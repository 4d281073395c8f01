using System.Text.Json;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>`segbridge infer-slide` and slides/infer through the real executable, on vips-made blobs and a real Aperio slide.</summary>
public sealed class InferSlideTests(BlobSlide blobs, ITestOutputHelper output) : IClassFixture<BlobSlide>
{
    [SkippableFact]
    public async Task Cli_writes_the_blobs_as_geojson_polygons_in_level0_coordinates()
    {
        Skip.If(blobs.SkipReason is not null, blobs.SkipReason);
        var outFile = Path.Combine(blobs.Directory, "regions.geojson");
        var (code, _, err) = await EngineCli.RunAsync("infer-slide", blobs.TiffPath!, "--model", "tissue", "--mpp", "2", "--out", outFile, "--log-file", EngineCli.TestLog);
        output.WriteLine(err);
        Assert.Equal(0, code);
        Assert.Contains("tiles", err);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(outFile));
        Assert.Equal("FeatureCollection", doc.RootElement.GetProperty("type").GetString());
        var polygons = doc.RootElement.GetProperty("features").EnumerateArray().Select(f =>
        {
            Assert.Equal("Polygon", f.GetProperty("geometry").GetProperty("type").GetString());
            Assert.Equal("Tissue", f.GetProperty("properties").GetProperty("classification").GetProperty("name").GetString());
            return f.GetProperty("geometry").GetProperty("coordinates").Deserialize<double[][][]>()!;
        }).ToList();
        Assert.Equal(2, polygons.Count); // the speck is dropped, the ellipse's pin-hole filled
        const double tolerance = 12;   // mpp 2 = 4 level-0 pixels per working pixel: 2 working pixels + 1 of simplification
        var (cx, cy, rx, ry) = blobs.Ellipse;
        TiledInferenceTests.AssertBounds(polygons.Single(p => p.Length == 1)[0], cx - rx, cy - ry, cx + rx, cy + ry, tolerance);
        var ring = polygons.Single(p => p.Length == 2);
        var (rcx, rcy, r, hole) = blobs.Ring;
        TiledInferenceTests.AssertBounds(ring[0], rcx - r, rcy - r, rcx + r, rcy + r, tolerance);
        TiledInferenceTests.AssertBounds(ring[1], rcx - hole, rcy - hole, rcx + hole, rcy + hole, tolerance);
    }

    [SkippableTheory]
    [InlineData("--mpp", "0.1", "--mpp")]
    [InlineData("--region", "0,0,5000,10", "--region")]
    [InlineData("--region", "0,0,ten", "--region")]
    [InlineData("--simplify", "5000", "--simplify")]
    [InlineData("--model", "graph-cut", "--model")]
    public async Task Bad_arguments_name_the_option_and_what_is_allowed(string option, string value, string named)
    {
        Skip.If(blobs.SkipReason is not null, blobs.SkipReason);
        var args = new List<string> { "infer-slide", blobs.TiffPath!, "--out", Path.Combine(blobs.Directory, "bad.geojson"), "--log-file", EngineCli.TestLog };
        if (option != "--model") args.AddRange(["--model", "tissue"]);
        args.AddRange([option, value]);
        var (code, _, err) = await EngineCli.RunAsync([.. args]);
        output.WriteLine(err);
        Assert.Equal(2, code);
        Assert.Contains($"segbridge: {named}", err);
        Assert.Matches("allowed|must be", err);
    }

    [Fact]
    public async Task A_plain_image_is_refused_by_its_file_name_with_what_to_do_instead()
    {
        var png = TestImages.DiskPngFile();
        var (code, _, err) = await EngineCli.RunAsync("infer-slide", png, "--model", "tissue", "--out", Path.Combine(Path.GetTempPath(), "never.geojson"), "--log-file", EngineCli.TestLog);
        Assert.Equal(2, code);
        Assert.Contains($"({Path.GetFileName(png)}, a 120×100 image) is not a whole-slide image", err);
        Assert.Contains("initialMask \"model\"", err);
    }

    [SkippableTheory]
    [InlineData("tissue", "8", "Tissue")]
    [InlineData("click-hist-none", "2", "Epithelium")] // the learned click network's click-free prediction, in 400 px tiles
    [InlineData("guide-hist", "2", "Epithelium")]      // the image-only guide network
    [InlineData("guide-weak-hist", "2", "Epithelium")] // the weakly supervised guide (masks for 30 % + class labels)
    public async Task A_real_aperio_slide_gives_regions_inside_its_bounds_in_seconds(string model, string mpp, string className)
    {
        Skip.If(SlideTools.OpenSlideMissing is not null, SlideTools.OpenSlideMissing);
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var path = Path.Combine(RepoPaths.Data!, "wsi", "cmu-1-small-region.svs");
        Skip.IfNot(File.Exists(path), $"{path} not found; test skipped");
        var outFile = Path.Combine(blobs.Directory, "cmu.geojson");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, err) = await EngineCli.RunAsync("infer-slide", path, "--model", model, "--mpp", mpp, "--out", outFile, "--log-file", EngineCli.TestLog);
        output.WriteLine($"{err}{clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(outFile));
        Assert.All(doc.RootElement.GetProperty("features").EnumerateArray(),
            f => Assert.Equal(className, f.GetProperty("properties").GetProperty("classification").GetProperty("name").GetString()));
        var points = doc.RootElement.GetProperty("features").EnumerateArray()
            .SelectMany(f => f.GetProperty("geometry").GetProperty("coordinates").Deserialize<double[][][]>()!).SelectMany(r => r).ToList();
        Assert.NotEmpty(points);
        Assert.All(points, p => { Assert.InRange(p[0], 0, 2220); Assert.InRange(p[1], 0, 2967); });
    }

    [SkippableFact]
    public async Task Slides_infer_returns_polygons_over_rpc_with_progress_notifications()
    {
        Skip.If(blobs.SkipReason is not null, blobs.SkipReason);
        var progress = new NotificationLog<SlideProgressParams>();
        var (engine, rpc) = EngineProcess.StartStdio(c => progress.Attach(c, "slides/progress"));
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var models = await rpc.CallAsync<ModelListResult>("models/list", new EmptyParams());
            Assert.Equal("guide", models.Models.Single(m => m.Id == "tissue").Role);
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = blobs.TiffPath });
            var (rcx, rcy, r, _) = blobs.Ring;
            var region = new RegionDto { X = (long)(rcx - r - 100), Y = (long)(rcy - r - 100), Width = (long)(2 * r + 200), Height = (long)(2 * r + 200) };
            var result = await rpc.CallAsync<InferSlideResult>("slides/infer", new InferSlideParams { ImageId = img.ImageId, ModelId = "tissue", Region = region, Mpp = 2, ProgressToken = "tissue-1" });
            output.WriteLine($"{result.Tiles} tiles, {result.Width}x{result.Height} at downsample {result.Downsample}, {result.Notes}");
            var notes = await progress.WaitForAsync(result.Tiles, TimeSpan.FromSeconds(5));
            Assert.Equal(Enumerable.Range(1, result.Tiles), notes.Select(n => n.Done));
            Assert.All(notes, n => Assert.Equal(("tissue-1", img.ImageId, result.Tiles), (n.ProgressToken, n.ImageId, n.Total)));
            var badToken = await rpc.ErrorAsync("slides/infer", new InferSlideParams { ImageId = img.ImageId, ModelId = "tissue", ProgressToken = "" });
            Assert.Equal(1003, badToken.ErrorCode);
            Assert.Contains("progressToken must be 1 to 200 characters", badToken.Message);
            Assert.Equal(4.0, result.Downsample, 6);
            var ring = Assert.Single(result.Geometry.Coordinates);
            Assert.Equal(2, ring.Length);
            TiledInferenceTests.AssertBounds(ring[0], rcx - r, rcy - r, rcx + r, rcy + r, 12);

            var refinement = await rpc.ErrorAsync("slides/infer", new InferSlideParams { ImageId = img.ImageId, ModelId = "graph-cut" });
            Assert.Equal(1003, refinement.ErrorCode);
            Assert.Contains("guide models: ", refinement.Message);
            Assert.Contains("tissue", refinement.Message);
            Assert.Contains("click-hist-none", refinement.Message); // learned click models predict without clicks too
        }
    }
}
