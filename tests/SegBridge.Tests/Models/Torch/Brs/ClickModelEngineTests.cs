using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SegBridge.Eval;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Geometry;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;
using SegBridge.Tests.Models.Torch.Shared;

namespace SegBridge.Tests.Models.Torch.Brs;

/// <summary>The shipped click models through the real engine, as a viewer drives them.</summary>
public sealed class ClickModelEngineTests(ITestOutputHelper output)
{
    private static readonly string[] Methods = ["none", "f-brs", "g-brs", "cgam"];

    [SkippableFact]
    public async Task Shipped_click_models_are_ready_on_the_reported_device_and_clicks_refine_a_real_gland()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, truth) = TorchTestSupport.GlasCrop(100, 60, 400);
        var (engine, rpc) = EngineProcess.StartStdio();
        await using var _ = engine;
        var init = await rpc.InitializeAsync();
        Assert.Contains("cpu", init.Capabilities.Devices);
        foreach (var method in Methods)
        {
            var info = Assert.Single(init.Models, m => m.Id == "click-hist-" + method);
            Assert.True(info.Status == "ready", $"{info.Id}: {info.Reason}");
            Assert.Equal(init.Capabilities.Devices.Last(), info.Device); // cuda where a CUDA libtorch sees a GPU, else cpu
        }

        var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "click-hist-cgam" });
        var inside = DistanceTransform.ToNearest(truth.Data, 400, 400, target: false);
        int best = Array.IndexOf(inside, inside.Where(float.IsFinite).Max());
        var first = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = best % 400, Y = best / 400, Positive = true }, Format = "raw",
        });
        output.WriteLine($"first click: {first.Notes}");
        Assert.Contains("cgam on ", first.Notes);
        Assert.True(first.Data![best] == 1, "the clicked pixel must be foreground after a positive click");
        double iou = Metrics.Iou(new Mask(400, 400, first.Data!), GroundTruth.FromMask(truth));
        output.WriteLine($"IoU after one click: {iou:F3}");

        var outside = DistanceTransform.ToNearest(truth.Data, 400, 400, target: true);
        int bg = Array.IndexOf(outside, outside.Where(float.IsFinite).Max());
        var second = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = bg % 400, Y = bg / 400, Positive = false }, Format = "raw",
        });
        Assert.True(second.Data![bg] == 0, "the clicked pixel must be background after a negative click");
        var undone = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(first.Data, undone.Data);
        var again = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = bg % 400, Y = bg / 400, Positive = false }, Format = "raw",
        });
        Assert.Equal(second.Data, again.Data); // undo went back to θ after the first click, so the same click gives the same mask
    }

    [SkippableFact]
    public async Task Click_model_with_bad_weights_is_unavailable_with_the_reason()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-badweights-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "weights"));
            var garbage = Path.Combine(dir, "weights", "garbage.safetensors");
            File.WriteAllBytes(garbage, RandomNumberGenerator.GetBytes(4096));
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(garbage)));
            Manifest(dir, "garbage-cgam", "weights/garbage.safetensors", sha);
            Manifest(dir, "wrong-sha-cgam", "weights/garbage.safetensors", new string('0', 64));
            Manifest(dir, "missing-cgam", "weights/missing.safetensors", sha);

            var (engine, rpc) = EngineProcess.StartStdio("--models", dir);
            await using var _ = engine;
            var init = await rpc.InitializeAsync();
            string Reason(string id) => Assert.Single(init.Models, m => m.Id == id) is { Status: "unavailable" } m ? m.Reason! : throw new Xunit.Sdk.XunitException($"{id} is not unavailable");
            Assert.Contains("do not load", Reason("garbage-cgam"));
            Assert.Contains("sha256", Reason("wrong-sha-cgam"));
            Assert.Contains("not found", Reason("missing-cgam"));
            var error = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = "img-1", ModelId = "garbage-cgam" });
            Assert.NotEqual(0, error.ErrorCode);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Manifest(string dir, string id, string weights, string sha) => File.WriteAllText(Path.Combine(dir, id + ".json"), new JsonObject
    {
        ["id"] = id, ["name"] = id, ["family"] = "torch/brs-click", ["dimensions"] = "2d",
        ["parameters"] = new JsonObject { ["method"] = "cgam" },
        ["weights"] = new JsonArray(new JsonObject { ["path"] = weights, ["sha256"] = sha }),
    }.ToJsonString());
}
