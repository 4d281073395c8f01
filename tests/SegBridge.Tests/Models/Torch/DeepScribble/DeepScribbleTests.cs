using System.Text.Json;
using SegBridge.Eval;
using SegBridge.Eval.Robots;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using static TorchSharp.torch;
using SegBridge.Models.Torch.DeepScribble;
using SegBridge.Tests.Models.Torch.Shared;

namespace SegBridge.Tests.Models.Torch.DeepScribble;

/// <summary>DeepScribble: RefineNet's guidance channels, its start from the guide, training and sessions through the engine.</summary>
public sealed class DeepScribbleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Interaction[] Strokes =
    [
        new Scribble([new PointD(5, 5), new PointD(20, 5)], Positive: true, Width: 1),
        new Scribble([new PointD(30, 30), new PointD(30, 35)], Positive: false, Width: 1),
    ];

    [Fact]
    public void Guidance_channels_follow_the_input_set()
    {
        var d = ScribbleGuidance.SeedChannels("I+P+D", Strokes, 40, 40, 255)!.Value;
        var maps = ScribbleDistanceMaps.Compute(Strokes, 40, 40, 255);
        Assert.Equal(maps.Foreground, d.Foreground);
        Assert.Equal(maps.Background, d.Background);

        var s = ScribbleGuidance.SeedChannels("I+P+S", Strokes, 40, 40, 255)!.Value;
        var seeds = SeedRasterizer.Rasterize(Strokes, 40, 40).Labels;
        Assert.Equal(seeds.Select(l => l == SeedMap.Foreground ? 1f : 0f), s.Foreground);
        Assert.Equal(seeds.Select(l => l == SeedMap.Background ? 1f : 0f), s.Background);
        Assert.Contains(1f, s.Foreground);
        Assert.All(s.Foreground.Concat(s.Background), v => Assert.True(v is 0f or 1f));

        Assert.Null(ScribbleGuidance.SeedChannels("I", Strokes, 40, 40, 255));
        Assert.Null(ScribbleGuidance.SeedChannels("I+P", Strokes, 40, 40, 255));
        var e = Assert.Throws<ArgumentException>(() => ScribbleGuidance.SeedChannels("I+D", Strokes, 40, 40, 255));
        Assert.Contains("refineInputs is 'I+D'; allowed: I, I+P, I+P+S, I+P+D", e.Message);

        using var p = ones(1, 1, 8, 8);
        using var seedMaps = zeros(1, 2, 8, 8);
        Assert.Null(ScribbleGuidance.Stack("I", p, null));
        Assert.Equal([1L, 1, 8, 8], ScribbleGuidance.Stack("I+P", p, null)!.shape);
        Assert.Equal([1L, 3, 8, 8], ScribbleGuidance.Stack("I+P+D", p, seedMaps)!.shape);
    }

    [Theory]
    [InlineData("""{"refineInputs": "I+P+D", "inputChannels": 5}""", "inputChannels is 5; a refinement network reading I+P+D takes 6")]
    [InlineData("""{"refineInputs": "I+P", "inputChannels": 3}""", "inputChannels is 3; a refinement network reading I+P takes 4")]
    [InlineData("""{"refineInputs": "P", "inputChannels": 4}""", "refineInputs is 'P'; allowed: I, I+P, I+P+S, I+P+D")]
    public void Refinement_shapes_are_checked_against_their_inputs(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ClickNetworkConfig.FromJson(json).Validate());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_refinement_network_started_from_the_guide_reproduces_the_guide_whatever_the_guidance()
    {
        manual_seed(3);
        var small = new ClickNetworkConfig { Width = 8, AsppChannels = 16, DecoderChannels = 16, LowLevelChannels = 8, InputChannels = 3 };
        using var guide = new ClickNetwork(small);
        guide.eval();
        using var refine = GuideStart.Widen(small with { RefineInputs = "I+P+D", InputChannels = 6 }, guide);
        refine.eval();
        using var image = randn(1, 3, 64, 64);
        using var guidance = rand(1, 3, 64, 64);
        using var _ = no_grad();
        using var expected = guide.forward(image, null);
        using var actual = refine.forward(image, guidance);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5), "a fresh refinement network must answer like its guide");
        Assert.Equal(6, refine.Config.InputChannels);
    }

    [SkippableFact]
    public async Task Train_deepscribble_writes_a_manifest_naming_guide_and_refinement_that_the_engine_loads()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-ds-").FullName;
        try
        {
            var ebhi = Path.Combine(RepoPaths.Data!, "ebhi") + ":pattern=adeno_*";
            var (code, _, err) = await EngineCli.RunAsync("train", "--family", "guide", "--data", ebhi, "--out", dir, "--name", "tiny-guide",
                "--iterations", "2", "--batch", "2", "--crop", "64", "--backbone", "none", "--width", "8", "--aspp-channels", "16", "--decoder-channels", "16");
            Assert.True(code == 0, err);
            (code, _, err) = await EngineCli.RunAsync("train", "--family", "deepscribble", "--guide-weights", Path.Combine(dir, "weights", "tiny-guide.safetensors"),
                "--data", ebhi, "--out", dir, "--name", "tiny-ds", "--iterations", "2", "--batch", "2", "--crop", "64",
                "--rounds", "3", "--validation-share", "0.1", "--validation-every", "1", "--validation-rounds", "2", "--checkpoint-every", "1");
            Assert.True(code == 0, err);
            Assert.Contains("sessions of up to 3 scribbles", err);
            Assert.Contains("held-out IoU", err);
            Assert.Contains("(GuideNet alone ", err); // the curve's baseline: the same images before any scribble
            Assert.True(Directory.Exists(Path.Combine(dir, "checkpoints", "tiny-ds", "iter-0000001")), "a checkpoint after iteration 1");
            using (var first = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-ds.training.json"))))
            {
                Assert.Equal(2, first.RootElement.GetProperty("curve").GetProperty("validationIou").GetArrayLength());
                Assert.InRange(first.RootElement.GetProperty("validationGuideIou").GetDouble(), 0, 1);
                Assert.Equal(2 * 1, first.RootElement.GetProperty("sessions").GetProperty("started").GetInt32()); // one session per slot: the run ends before a second starts
            }
            // Resumed from its checkpoint the run finishes there and says so in its record.
            (code, _, err) = await EngineCli.RunAsync("train", "--family", "deepscribble", "--guide-weights", Path.Combine(dir, "weights", "tiny-guide.safetensors"),
                "--data", ebhi, "--out", dir, "--name", "tiny-ds", "--iterations", "2", "--batch", "2", "--crop", "64", "--rounds", "3",
                "--resume", Path.Combine(dir, "checkpoints", "tiny-ds"));
            Assert.True(code == 0, err);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tiny-ds.json")));
            Assert.Equal("torch/deepscribble", manifest.RootElement.GetProperty("family").GetString());
            var weights = manifest.RootElement.GetProperty("weights").EnumerateArray().Select(w => w.GetProperty("path").GetString()).ToList();
            Assert.Equal(["weights/tiny-guide.safetensors", "weights/tiny-ds.safetensors"], weights);
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-ds.training.json")));
            Assert.Contains("--guide-weights", record.RootElement.GetProperty("command").GetString());
            Assert.Equal(1, record.RootElement.GetProperty("resumedFrom").GetProperty("iteration").GetInt32());
            Assert.Equal("none (trained from scratch, through the guide)", record.RootElement.GetProperty("backbone").GetString());

            // The same files in the wrong order, and a manifest whose refinement file is missing, are unavailable with the reason.
            var text = File.ReadAllText(Path.Combine(dir, "tiny-ds.json"));
            var entries = manifest.RootElement.GetProperty("weights").EnumerateArray().Select(w => w.GetRawText()).ToList();
            File.WriteAllText(Path.Combine(dir, "swapped.json"), text.Replace("\"tiny-ds\"", "\"swapped\"").Replace(entries[0], "@@").Replace(entries[1], entries[0]).Replace("@@", entries[1]));
            File.WriteAllText(Path.Combine(dir, "missing.json"), text.Replace("\"tiny-ds\"", "\"missing\"").Replace("weights/tiny-ds.safetensors", "weights/gone.safetensors"));

            var (listCode, list, listErr) = await EngineCli.RunAsync("models", "list", "--json", "--models", dir);
            Assert.True(listCode == 0, listErr);
            using var models = JsonDocument.Parse(list);
            var all = models.RootElement.GetProperty("models").EnumerateArray().ToList();
            var ds = Assert.Single(all, m => m.GetProperty("id").GetString() == "tiny-ds");
            Assert.True(ds.GetProperty("status").GetString() == "ready", ds.ToString());
            var swapped = Assert.Single(all, m => m.GetProperty("id").GetString() == "swapped");
            Assert.Equal("unavailable", swapped.GetProperty("status").GetString());
            Assert.Contains("not a guide network", swapped.GetProperty("reason").GetString());
            var missing = Assert.Single(all, m => m.GetProperty("id").GetString() == "missing");
            Assert.Equal("unavailable", missing.GetProperty("status").GetString());
            Assert.Contains("gone.safetensors", missing.GetProperty("reason").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Train_deepscribble_refuses_bad_options_naming_them()
    {
        var (code, _, err) = await EngineCli.RunAsync("train", "--family", "deepscribble", "--data", "/nonexistent", "--out", "/tmp/x");
        Assert.Equal(2, code);
        Assert.Contains("--guide-weights is required", err);
        (code, _, err) = await EngineCli.RunAsync("train", "--family", "deepscribble", "--guide-weights", "/nonexistent.safetensors", "--inputs", "I+D", "--data", "/nonexistent", "--out", "/tmp/x");
        Assert.Equal(2, code);
        Assert.Contains("--inputs is 'I+D'; allowed: I, I+P, I+P+S, I+P+D", err);
    }

    [SkippableFact]
    public async Task A_shipped_DeepScribble_session_improves_IoU_on_a_real_patch_with_a_correcting_scribble()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, truth) = TorchTestSupport.GlasCrop(100, 60, 400);
        var (engine, rpc) = EngineProcess.StartStdio();
        await using var _ = engine;
        var init = await rpc.InitializeAsync();
        var info = Assert.Single(init.Models, m => m.Id == "deepscribble-hist");
        Assert.True(info.Status == "ready", info.Reason);
        var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "deepscribble-hist", InitialMask = "guide-hist" });
        var start = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        double before = Metrics.Iou(new Mask(400, 400, start.Data!), GroundTruth.FromMask(truth));

        // The eval harness's scribble robot draws the correction a user would: on the largest error, opposite label.
        var labels = ScribbleRobot.Propose(new Mask(400, 400, start.Data!), GroundTruth.FromMask(truth), null, share: 0.002);
        Assert.NotNull(labels);
        var refined = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Labels = new LabelsDto { Raw = labels }, Format = "raw",
        });
        double after = Metrics.Iou(new Mask(400, 400, refined.Data!), GroundTruth.FromMask(truth));
        output.WriteLine($"guide IoU {before:F3}, after one robot scribble {after:F3}");
        Assert.True(after > before + 0.01, $"IoU {before:F3} → {after:F3}: the correcting scribble should improve the mask");
        var undone = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(start.Data, undone.Data);
    }
}
