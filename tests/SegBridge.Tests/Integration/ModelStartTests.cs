using System.Text.Json.Nodes;
using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Models.Torch.Shared;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>
/// The CGAM paper's workflow in the product: a click session starts from the base network's prediction without
/// clicks (the manifest's initialMask "model"), undo, reset and a restart return to it; the manifest says what the
/// model segments and at what pixel size, and a slide session without a resolution is read at that size.
/// </summary>
public sealed class ModelStartTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_click_session_starts_from_the_click_free_prediction_and_undo_reset_and_a_restart_return_to_it()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, truth) = TorchTestSupport.GlasCrop(100, 60, 400);
        var stateDir = Directory.CreateTempSubdirectory("segbridge-start-").FullName;
        string sessionId;
        byte[] start;
        var (engine, rpc) = EngineProcess.StartStdio("--state-dir", stateDir);
        await using (engine)
        using (rpc)
        {
            var init = await rpc.InitializeAsync();
            var cgam = Assert.Single(init.Models, m => m.Id == "click-hist-cgam");
            Assert.Equal(("model", 1.0), (cgam.InitialMask, cgam.PixelSizeUm));
            Assert.Contains("glandular epithelium", cgam.Segments);
            Assert.Equal("none", Assert.Single(init.Models, m => m.Id == "watershed").InitialMask);
            Assert.Equal("guide-hist", Assert.Single(init.Models, m => m.Id == "deepscribble-hist").InitialMask);

            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "click-hist-cgam" });
            sessionId = session.SessionId;
            Assert.Equal("click-hist-cgam", session.InitialMask);
            start = (await Mask(rpc, sessionId)).Data!;
            double iou = Metrics.Iou(new Mask(400, 400, start), GroundTruth.FromMask(truth));
            output.WriteLine($"click-free start: IoU {iou:F3}");
            Assert.True(iou > 0.5, $"the base network's prediction should find the glands (IoU {iou:F3})");

            // The same network asked for its prediction by id, or through click-hist-none, gives the same start.
            var byId = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "click-hist-f-brs", InitialMask = "click-hist-none" });
            Assert.Equal(start, (await Mask(rpc, byId.SessionId)).Data);
            var empty = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "click-hist-cgam", InitialMask = "none" });
            Assert.Null(empty.InitialMask);
            Assert.Equal(0, (await Mask(rpc, empty.SessionId)).ForegroundPixels);

            var wrongStart = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed", InitialMask = "model" });
            Assert.Equal(1003, wrongStart.ErrorCode);
            Assert.Contains("cannot predict without interactions", wrongStart.Message);
            var unknown = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "click-hist-cgam", InitialMask = "watershed" });
            Assert.Contains("allowed: none, model or a guide model", unknown.Message);

            // The robot's click where the start is most wrong, then undo: back to the start; reset too.
            var robot = ClickRobot.Propose(new Mask(400, 400, start), GroundTruth.FromMask(truth))!;
            var clicked = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = sessionId, Click = new ClickDto { X = robot.Click.X, Y = robot.Click.Y, Positive = robot.Click.Positive }, Format = "raw",
            });
            Assert.NotEqual(start, clicked.Data);
            Assert.Equal(start, (await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId, Format = "raw" })).Data);
            await rpc.CallAsync<MaskResult>("sessions/redo", new SessionParams { SessionId = sessionId });
            Assert.Equal(start, (await rpc.CallAsync<MaskResult>("sessions/reset", new SessionParams { SessionId = sessionId, Format = "raw" })).Data);
            await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId }); // the click is back
        }

        // The journal names the model whose prediction the session started from; the restored session returns to it.
        var (again, rpc2) = EngineProcess.StartStdio("--state-dir", stateDir);
        await using (again)
        using (rpc2)
        {
            await rpc2.InitializeAsync();
            var sessions = await rpc2.CallAsync<SessionListResult>("sessions/list", new { });
            Assert.Equal("click-hist-cgam", Assert.Single(sessions.Sessions, s => s.SessionId == sessionId).InitialMask);
            Assert.Equal(1, (await Mask(rpc2, sessionId)).InteractionCount);
            Assert.Equal(start, (await rpc2.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId, Format = "raw" })).Data);
        }
        Directory.Delete(stateDir, recursive: true);
    }

    [SkippableFact]
    public async Task A_slide_session_without_a_resolution_is_read_at_the_models_pixel_size_and_bad_manifest_fields_are_named()
    {
        using var slide = new SyntheticSlide();
        Skip.If(slide.SkipReason is not null, slide.SkipReason);
        var dir = Directory.CreateTempSubdirectory("segbridge-pixelsize-").FullName;
        try
        {
            Manifest(dir, "coarse-watershed", new JsonObject { ["pixelSizeUm"] = 90.0 }); // finer than the slide (225): read at its own
            Manifest(dir, "very-coarse-watershed", new JsonObject { ["pixelSizeUm"] = 900.0, ["segments"] = "coloured shapes" });
            Manifest(dir, "bad-start", new JsonObject { ["initialMask"] = "model" });
            Manifest(dir, "bad-size", new JsonObject { ["pixelSizeUm"] = 0 });
            Manifest(dir, "bad-guide-name", new JsonObject { ["initialMask"] = "Not An Id" });

            var (engine, rpc) = EngineProcess.StartStdio("--models", dir);
            await using var _ = engine;
            using var __ = rpc;
            var init = await rpc.InitializeAsync();
            var list = await rpc.CallAsync<ModelListResult>("models/list", new { });
            string Problem(string id) => Assert.Single(list.ManifestErrors, e => e.File.EndsWith(id + ".json")) is var e ? $"{e.Field}: {e.Message}" : "";
            Assert.Contains("initialMask: ", Problem("bad-start"));
            Assert.Contains("cannot predict without interactions", Problem("bad-start"));
            Assert.Contains("pixelSizeUm: ", Problem("bad-size"));
            Assert.Contains("[0.05, 10000]", Problem("bad-size"));
            Assert.Contains("allowed: none, model", Problem("bad-guide-name"));
            Assert.Equal("coloured shapes", Assert.Single(init.Models, m => m.Id == "very-coarse-watershed").Segments);

            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = slide.TiffPath });
            var region = new RegionDto { X = 0, Y = 0, Width = 2000, Height = 1500 };
            var coarse = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "very-coarse-watershed", Region = region });
            Assert.Equal(4.0, coarse.Downsample, 3); // 900 µm per pixel over the slide's 225
            Assert.Equal((500, 375), (coarse.Width, coarse.Height));
            Assert.Equal(900, coarse.Mpp!.Value, 3);
            var own = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "coarse-watershed", Region = region });
            Assert.Equal(1.0, own.Downsample, 3);
            // What the client asks for still wins over the model's pixel size.
            var asked = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "very-coarse-watershed", Region = region, Downsample = 2 });
            Assert.Equal(2.0, asked.Downsample, 3);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static Task<MaskResult> Mask(StreamJsonRpc.JsonRpc rpc, string sessionId)
        => rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = sessionId, Format = "raw" });

    private static void Manifest(string dir, string id, JsonObject extra)
    {
        var manifest = new JsonObject { ["id"] = id, ["name"] = id, ["family"] = "classical/watershed" };
        foreach (var (key, value) in extra) manifest[key] = value?.DeepClone();
        File.WriteAllText(Path.Combine(dir, id + ".json"), manifest.ToJsonString());
    }
}
