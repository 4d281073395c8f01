using System.Text.Json;
using SegBridge.Engine;
using SegBridge.Engine.Api;
using SegBridge.Imaging.Codecs;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Eval;

/// <summary>`segbridge eval` (the real executable) and eval/run on GrabCut images and on bad arguments.</summary>
public class EvalEndToEndTests(ITestOutputHelper output)
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => EngineCli.RunAsync([.. args, "--log-file", EngineCli.TestLog]);

    [Fact]
    public async Task Eval_on_three_GrabCut_images_writes_consistent_results_table_and_plot()
    {
        if (RepoPaths.Data is not { } data || !Directory.Exists(Path.Combine(data, "grabcut")))
        {
            output.WriteLine(RepoPaths.NoDataMessage);
            return;
        }
        var outDir = Path.Combine(Path.GetTempPath(), "segbridge-eval-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _, err) = await Run("eval", "--dataset", Path.Combine(data, "grabcut"), "--model", "watershed", "--mode", "clicks",
            "--max", "20", "--targets", "0.85,0.90", "--limit", "3", "--out", outDir);
        output.WriteLine(err);
        Assert.True(code == 0, err);
        Assert.Contains("] 3/3 watershed", err.Replace('\r', '\n'));   // the progress bar

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var results = doc.RootElement.GetProperty("results");
        var model = results.GetProperty("models")[0];
        var summary = model.GetProperty("summary");
        var samples = model.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(3, samples.Count);
        var targets = results.GetProperty("targets").EnumerateArray().Select(t => t.GetDouble()).ToArray();
        for (int t = 0; t < targets.Length; t++)
        {
            int failures = 0;
            foreach (var s in samples)
            {
                int noc = s.GetProperty("noc")[t].GetInt32();
                bool failed = s.GetProperty("failed")[t].GetBoolean();
                var ious = s.GetProperty("ious").EnumerateArray().Select(v => v.GetDouble()).ToList();
                Assert.InRange(noc, 1, 20);
                if (failed) { failures++; Assert.Equal(20, noc); Assert.All(ious, v => Assert.True(v < targets[t])); }
                else Assert.True(ious[noc - 1] >= targets[t] && ious.Take(noc - 1).All(v => v < targets[t]));
            }
            Assert.Equal(failures, summary.GetProperty("noF")[t].GetInt32());
            Assert.InRange(summary.GetProperty("meanNoc")[t].GetDouble(), 1, 20);
        }
        var curve = summary.GetProperty("meanIouCurve").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(20, curve.Count);
        Assert.All(curve, v => Assert.InRange(v, 0, 1));
        var md = File.ReadAllText(Path.Combine(outDir, "table.md"));
        Assert.Contains("| Model | NoC@85 | NoC@90 | NoF@85 | NoF@90 | Reached@85 (%) | Reached@90 (%) | SPC (s) | Time (s) |", md);
        Assert.Contains("| watershed |", md);
        var png = File.ReadAllBytes(Path.Combine(outDir, "iou-curve.png"));
        Assert.Equal(ImageFormat.Png, ImageFormatSniffer.Detect(png));
        Assert.Equal((800, 520), (ImageDecoder.Decode(png, long.MaxValue).Width, ImageDecoder.Decode(png, long.MaxValue).Height));
        Directory.Delete(outDir, true);
    }

    [Fact]
    public async Task Eval_refuses_bad_arguments_with_exit_code_2_and_a_clear_message()
    {
        var dir = Path.Combine(Path.GetTempPath(), "segbridge-eval-bad-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (code, _, err) = await Run("eval", "--dataset", dir, "--model", "nope", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("unknown model 'nope'; known: click-hist-cgam, click-hist-f-brs, click-hist-g-brs, click-hist-none, deepscribble-hist, graph-cut, guide-hist, guide-hist-imagenet, guide-weak-hist, mem3d-brats, random-walker, tissue, watershed", err);
        (code, _, err) = await Run("eval", "--dataset", dir + "-missing", "--model", "watershed", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
        (code, _, err) = await Run("eval", "--dataset", dir, "--model", "watershed", "--targets", "0.85,1.5", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("(0, 1]", err);
        (code, _, err) = await Run("eval", "--dataset", dir, "--model", "watershed", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("needs images/ and masks/", err);
        (code, _, err) = await Run("eval", "--dataset", dir, "--model", "watershed", "--mode", "real-scribbles", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("scribbleSet", err);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Eval_run_names_the_bad_field()
    {
        var engine = new SegBridgeEngine(new EngineOptions { ManifestDirectories = [Path.Combine(RepoPaths.Root, "plugin-manifests")] }, BuiltInFamilies.All);
        var api = new EngineApi(engine);
        await api.InitializeAsync(new InitializeParams { ClientName = "test", ProtocolVersion = ProtocolInfo.Version });
        async Task<ProtocolException> Fails(EvalRunParams p) => await Assert.ThrowsAsync<ProtocolException>(() => api.RunEvalAsync(p));
        var e = await Fails(new EvalRunParams { Dataset = "/nonexistent/x", Models = ["watershed"] });
        Assert.Equal((ErrorCodes.InvalidArgument, "dataset"), (e.Code, e.Data!.Field));
        e = await Fails(new EvalRunParams { Dataset = Path.GetTempPath(), Models = ["x"] });
        Assert.Equal((ErrorCodes.UnknownModel, "models"), (e.Code, e.Data!.Field));
        e = await Fails(new EvalRunParams { Dataset = Path.GetTempPath(), Models = ["watershed"], Targets = [0] });
        Assert.Equal("targets", e.Data!.Field);
        e = await Fails(new EvalRunParams { Dataset = Path.GetTempPath(), Models = ["watershed"], Mode = "taps" });
        Assert.Equal("mode", e.Data!.Field);
        e = await Fails(new EvalRunParams { Dataset = Path.GetTempPath(), Models = ["watershed"], Crop = [1, 2, 3] });
        Assert.Equal("crop", e.Data!.Field);

        // A served engine with path roots reads datasets only inside them, as images/open does.
        var root = Directory.CreateTempSubdirectory("segbridge-root-").FullName;
        var rooted = new EngineApi(new SegBridgeEngine(new EngineOptions
        {
            ManifestDirectories = [Path.Combine(RepoPaths.Root, "plugin-manifests")], AllowedRoots = [root],
        }, BuiltInFamilies.All));
        await rooted.InitializeAsync(new InitializeParams { ClientName = "test", ProtocolVersion = ProtocolInfo.Version });
        e = await Assert.ThrowsAsync<ProtocolException>(() => rooted.RunEvalAsync(new EvalRunParams { Dataset = RepoPaths.Root, Models = ["watershed"] }));
        Assert.Equal((ErrorCodes.PathNotAllowed, "dataset"), (e.Code, e.Data!.Field));
        Directory.Delete(root);
    }
}
