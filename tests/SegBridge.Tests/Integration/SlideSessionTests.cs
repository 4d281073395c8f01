using SegBridge.Imaging.Encodings;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>
/// Whole-slide sessions through the real executable: a pyramidal TIFF built by vips with known shapes is
/// opened as a slide, a session works on a level-0 region at a coarser resolution, a click in level-0
/// coordinates gives polygons in level-0 coordinates that match the drawn shape.
/// </summary>
public sealed class SlideSessionTests(SyntheticSlide slide, ITestOutputHelper output) : IClassFixture<SyntheticSlide>
{
    [SkippableFact]
    public async Task Click_on_a_drawn_shape_gives_its_polygon_in_level0_coordinates()
    {
        Skip.If(slide.SkipReason is not null, slide.SkipReason);
        var (engine, rpc) = EngineProcess.StartStdio();
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = slide.TiffPath });
            Assert.NotNull(img.Slide);
            Assert.Equal("generic-tiff", img.Slide!.Vendor);
            Assert.Equal((SyntheticSlide.Width, SyntheticSlide.Height), ((int)img.Width, (int)img.Height));
            Assert.True(img.Slide.Levels.Length > 1);
            Assert.Equal(250, img.Slide.MppX!.Value, 3);
            var png = await rpc.ErrorAsync("images/png", new ImageIdParams { ImageId = img.ImageId });
            Assert.Equal(1003, png.ErrorCode);
            Assert.Contains("whole-slide image", png.Message);

            var (x0, y0, x1, y1) = SyntheticSlide.Red;
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams
            {
                ImageId = img.ImageId, ModelId = "graph-cut", Region = new RegionDto { X = 100, Y = 200, Width = 800, Height = 800 }, Downsample = 2,
            });
            Assert.Equal((400, 400, 2.0), (session.Width, session.Height, session.Downsample));

            var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = session.SessionId, Click = new ClickDto { X = (x0 + x1) / 2.0, Y = (y0 + y1) / 2.0 }, Format = "polygons",
            });
            var points = mask.Geometry!.Coordinates.SelectMany(p => p).SelectMany(r => r).ToList();
            var (minX, maxX, minY, maxY) = (points.Min(p => p[0]), points.Max(p => p[0]), points.Min(p => p[1]), points.Max(p => p[1]));
            output.WriteLine($"polygon bounds in level 0: x {minX}..{maxX}, y {minY}..{maxY}; drawn: x {x0}..{x1}, y {y0}..{y1}");
            const double tolerance = 6; // 2 working pixels at downsample 2, plus JPEG edges
            Assert.InRange(minX, x0 - tolerance, x0 + tolerance);
            Assert.InRange(maxX, x1 - tolerance, x1 + tolerance);
            Assert.InRange(minY, y0 - tolerance, y0 + tolerance);
            Assert.InRange(maxY, y1 - tolerance, y1 + tolerance);

            // The raster form says where it sits: image = origin + raster · downsample.
            var raw = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session.SessionId, Format = "raw" });
            Assert.Equal((100.0, 200.0, 2.0), (raw.OriginX, raw.OriginY, raw.Downsample));
            Assert.Equal(raw.Data, MaskPolygons.Rasterize(ToWorking(mask.Geometry.Coordinates, raw), 400, 400).Data);

            var outside = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = session.SessionId, Click = new ClickDto { X = 1500, Y = 400 } });
            Assert.Equal(4002, outside.ErrorCode);
            Assert.Contains("region (100, 200, 800×800)", outside.Message);

            var history = await rpc.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = session.SessionId });
            Assert.Equal((x0 + x1) / 2.0, history.Interactions[0].Click!.X, 6); // reported in the client's coordinates

            var byMpp = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams
            {
                ImageId = img.ImageId, ModelId = "watershed", Region = new RegionDto { X = 0, Y = 0, Width = 2000, Height = 1500 }, Mpp = 900,
            });
            Assert.Equal(4.0, byMpp.Downsample, 3); // mpp 250 × 200 averages to 225 per level-0 pixel
            Assert.Equal((500, 375), (byMpp.Width, byMpp.Height));

            var tooMany = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed", Mpp = 900, Downsample = 2 });
            Assert.Equal(1003, tooMany.ErrorCode);
            var badRegion = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed", Region = new RegionDto { X = 1900, Y = 0, Width = 500, Height = 100 } });
            Assert.Equal(1003, badRegion.ErrorCode);
            Assert.Contains("not inside the 2000×1500 image", badRegion.Message);
        }
    }

    [SkippableFact]
    public async Task Real_aperio_slide_opens_and_serves_a_session_at_a_chosen_mpp()
    {
        Skip.If(SlideTools.OpenSlideMissing is not null, SlideTools.OpenSlideMissing);
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var path = Path.Combine(RepoPaths.Data!, "wsi", "cmu-1-small-region.svs");
        Skip.IfNot(File.Exists(path), $"{path} not found; test skipped");
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", Path.GetDirectoryName(path)!);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            output.WriteLine($"{img.Slide!.Vendor} {img.Width}x{img.Height} mpp {img.Slide.MppX} {img.Slide.ObjectivePower}x");
            Assert.Equal("aperio", img.Slide.Vendor);
            Assert.Equal(0.499, img.Slide.MppX!.Value, 2);
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams
            {
                ImageId = img.ImageId, ModelId = "watershed", Region = new RegionDto { X = 200, Y = 200, Width = 1000, Height = 1000 }, Mpp = 2.0,
            });
            Assert.InRange(session.Width, 245, 255);
            var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = session.SessionId, Click = new ClickDto { X = 700, Y = 700 }, Format = "polygons",
            });
            Assert.Equal(1, mask.InteractionCount);
            foreach (var p in mask.Geometry!.Coordinates.SelectMany(p => p).SelectMany(r => r))
            {
                Assert.InRange(p[0], 200 - 4, 1200 + 4);
                Assert.InRange(p[1], 200 - 4, 1200 + 4);
            }
        }
    }

    private static double[][][][] ToWorking(double[][][][] level0, MaskResult raster)
        => new SegBridge.Imaging.Geometry.RegionMapping(raster.OriginX, raster.OriginY, raster.Downsample).PolygonsToWorking(level0);
}
