using System.Text.Json;
using SegBridge.Imaging.Encodings;
using SegBridge.Protocol;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Integration;

/// <summary>The command-line verbs, run as a user would run them.</summary>
public sealed class CliTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => EngineCli.RunAsync(args);

    [Fact]
    public async Task Segment_writes_a_mask_png_from_clicks()
    {
        var image = TestImages.DiskPngFile();
        var output = Path.ChangeExtension(image, ".mask.png");
        var (code, _, err) = await Run("segment", image, "--model", "graph-cut", "--click", "60,50,+", "--click", "5,5,-", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("[2/2]", err);
        var mask = MaskPng.Decode(File.ReadAllBytes(output));
        Assert.True(TestImages.DiskIoU(mask.Data, 120, 100, 60, 50, 25) > 0.9);
        File.Delete(image); File.Delete(output);
    }

    [Fact]
    public async Task Segment_reads_a_scribble_label_png()
    {
        var image = TestImages.DiskPngFile();
        var labels = new SegBridge.Imaging.Rasters.Mask(120, 100);
        for (int x = 50; x < 70; x++) labels.Data[50 * 120 + x] = 1;
        for (int y = 0; y < 100; y++) labels.Data[y * 120 + 3] = 2;
        // MaskPng writes 0/255; the label file must carry 0/1/2 grey values, so write it through the raw encoder.
        var labelPath = Path.ChangeExtension(image, ".labels.png");
        File.WriteAllBytes(labelPath, LabelPng(labels.Data, 120, 100));
        var output = Path.ChangeExtension(image, ".mask.png");
        var (code, _, err) = await Run("segment", image, "--model", "random-walker", "--scribbles", labelPath, "--out", output);
        Assert.True(code == 0, err);
        Assert.True(TestImages.DiskIoU(MaskPng.Decode(File.ReadAllBytes(output)).Data, 120, 100, 60, 50, 25) > 0.9);
    }

    [Fact]
    public async Task Segment_refuses_bad_arguments_with_a_clear_message()
    {
        var image = TestImages.DiskPngFile();
        var (code, _, err) = await Run("segment", image, "--model", "watershed", "--click", "60;50", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("X,Y,+", err);
        (code, _, err) = await Run("segment", image, "--model", "nope", "--click", "60,50,+", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("unknown model 'nope'", err);
        (code, _, err) = await Run("segment", image, "--model", "watershed", "--click", "600,50,+", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("outside the 120×100 image", err);
        (code, _, err) = await Run("segment", image, "--model", "watershed", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("give at least one --click, --scribbles or --box: watershed starts from an empty mask", err);
        (code, _, err) = await Run("segment", image, "--model", "watershed", "--initial-mask", "model", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("cannot predict without interactions", err);
        // Mem3D reads grey slices: an RGB image is refused when the session is made, naming it, not by a crash at the click.
        (code, _, err) = await Run("segment", image, "--model", "mem3d-brats", "--click", "60,50,+", "--out", "/tmp/x.png");
        Assert.Equal(2, code);
        Assert.Contains("model 'mem3d-brats' reads grey (1-channel) images; img-1 has 3 channels", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Segment_with_a_guide_and_nothing_else_writes_the_guides_prediction()
    {
        var image = TestImages.DiskPngFile();
        var output = Path.Combine(Directory.CreateTempSubdirectory("segbridge-guide").FullName, "guide.png");
        var (code, _, err) = await Run("segment", image, "--model", "guide-hist-imagenet", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("starts from guide-hist-imagenet's prediction without interactions", err);
        Assert.Equal((120, 100), (MaskPng.Decode(File.ReadAllBytes(output)).Width, MaskPng.Decode(File.ReadAllBytes(output)).Height));
        // Asked for an empty start explicitly, it is not second-guessed.
        (code, _, err) = await Run("segment", image, "--model", "guide-hist-imagenet", "--initial-mask", "none", "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("give at least one --click, --scribbles or --box", err);
    }

    [Fact]
    public async Task Segment_with_a_click_model_and_no_click_writes_its_base_networks_prediction()
    {
        var image = TestImages.DiskPngFile();
        var output = Path.Combine(Directory.CreateTempSubdirectory("segbridge-start").FullName, "start.png");
        var (code, _, err) = await Run("segment", image, "--model", "click-hist-cgam", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("starts from click-hist-cgam's prediction without interactions", err);
        var written = MaskPng.Decode(File.ReadAllBytes(output));
        Assert.Equal((120, 100), (written.Width, written.Height));
        (code, _, err) = await Run("segment", image, "--model", "click-hist-cgam", "--initial-mask", "none", "--click", "60,50,+", "--out", output);
        Assert.True(code == 0, err);
        Assert.DoesNotContain("starts from", err);
    }

    [Fact]
    public async Task Models_list_reports_bad_manifests_by_file_and_field_and_loads_the_rest()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-manifests").FullName;
        File.WriteAllText(Path.Combine(dir, "bad-range.json"), """{"id":"rw-bad","name":"x","family":"classical/random-walker","parameters":{"beta":-5}}""");
        File.WriteAllText(Path.Combine(dir, "bad-field.json"), """{"id":"Bad Id","name":"x","family":"classical/watershed"}""");
        File.WriteAllText(Path.Combine(dir, "broken.json"), """{"id": """);
        File.WriteAllText(Path.Combine(dir, "future.json"), """{"id":"cgam-future","name":"CGAM","family":"brs/cgam"}""");
        File.WriteAllText(Path.Combine(dir, "no-weights.json"), """{"id":"rw-weights","name":"x","family":"classical/watershed","weights":[{"path":"w.bin","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]}""");
        File.WriteAllText(Path.Combine(dir, "escape.json"), """{"id":"rw-escape","name":"x","family":"classical/watershed","weights":[{"path":"../../etc/passwd","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]}""");
        File.WriteAllText(Path.Combine(dir, "bad-role.json"), """{"id":"ws-oracle","name":"x","family":"classical/watershed","role":"oracle"}""");
        File.WriteAllText(Path.Combine(dir, "guide-needs-predictor.json"), """{"id":"ws-guide","name":"x","family":"classical/watershed","role":"guide"}""");
        File.WriteAllText(Path.Combine(dir, "good.json"), """{"id":"ws-extra","name":"Extra watershed","family":"classical/watershed"}""");

        var (code, stdout, err) = await Run("models", "list", "--json", "--models", dir);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(stdout);
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        var errors = doc.RootElement.GetProperty("manifestErrors").EnumerateArray()
            .Select(e => (File: Path.GetFileName(e.GetProperty("file").GetString()), Field: e.TryGetProperty("field", out var f) ? f.GetString() : null, Message: e.GetProperty("message").GetString()))
            .ToList();

        Assert.Equal("ready", models["ws-extra"].GetProperty("status").GetString());
        Assert.Equal("ready", models["random-walker"].GetProperty("status").GetString());
        Assert.Equal("unavailable", models["cgam-future"].GetProperty("status").GetString());
        Assert.Contains("brs/cgam", models["cgam-future"].GetProperty("reason").GetString());
        Assert.Contains("not found", models["rw-weights"].GetProperty("reason").GetString());
        Assert.Contains(errors, e => e.File == "bad-range.json" && e.Field == "parameters.beta");
        Assert.Contains(errors, e => e.File == "bad-field.json" && e.Field == "id");
        Assert.Contains(errors, e => e.File == "broken.json" && e.Message!.Contains("not valid JSON"));
        Assert.Contains(errors, e => e.File == "escape.json" && e.Field == "weights[0].path");
        Assert.Contains(errors, e => e.File == "bad-role.json" && e.Field == "role" && e.Message!.Contains("refinement, guide"));
        Assert.Contains(errors, e => e.File == "guide-needs-predictor.json" && e.Field == "role" && e.Message!.Contains("region predictor"));
        Assert.Equal("guide", models["tissue"].GetProperty("role").GetString());
        Assert.Equal("refinement", models["ws-extra"].GetProperty("role").GetString());

        (code, stdout, _) = await Run("models", "list", "--models", dir);
        Assert.Equal(0, code);
        Assert.Contains("random-walker", stdout);
        Assert.Contains("reason:", stdout);
    }

    [Fact]
    public async Task Protocol_prints_the_checked_in_openrpc_document_and_markdown_summary()
    {
        var (code, stdout, err) = await Run("protocol");
        Assert.True(code == 0, err);
        var checkedIn = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "SegBridge.Protocol", "openrpc.json"));
        Assert.True(checkedIn == stdout, "src/SegBridge.Protocol/openrpc.json is stale: regenerate it with `segbridge protocol --out src/SegBridge.Protocol/openrpc.json`");
        using var doc = JsonDocument.Parse(stdout);
        var names = doc.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Contains("sessions/interact", names);
        Assert.Equal(typeof(ISegBridgeApi).GetMethods().Length, names.Count);

        // The Markdown summary comes from the same contract; when a method or field changes both must be regenerated.
        var (mdCode, markdown, mdErr) = await Run("protocol", "--markdown");
        Assert.True(mdCode == 0, mdErr);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "SegBridge.Protocol", "README.md"));
        Assert.True(readme == markdown, $"src/SegBridge.Protocol/README.md is stale: regenerate it with `{ProtocolMarkdown.RegenerateCommand}`");
        foreach (var name in names) Assert.Contains($"### `{name}`", markdown);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("segment")]
    [InlineData("models")]
    [InlineData("protocol")]
    [InlineData("eval")]
    [InlineData("infer-slide")]
    public async Task Every_verb_has_help(string verb)
    {
        var (code, stdout, _) = await Run(verb, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
    }

    [Fact]
    public async Task Serve_needs_exactly_one_transport()
    {
        var (code, _, err) = await Run("serve");
        Assert.Equal(2, code);
        Assert.Contains("--stdio or --pipe", err);
    }

    private static byte[] LabelPng(byte[] labels, int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(labels, 0, bitmap.GetPixels(), labels.Length);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
