using System.Text.Json;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// `train --start-from GUIDE`: a click network (or a guide that continues) starts from a trained guide's weights.
/// Widened, it answers exactly as the guide until training moves its click channels; the run takes the guide's
/// shape, names the guide's sha256 in its record, and refuses a shape of its own or a file that is not a guide.
/// </summary>
public class StartFromGuideTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(ImageNetResNet18.Id)]
    public void A_widened_guide_answers_as_the_guide_whatever_the_clicks(string? backbone)
    {
        manual_seed(3);
        var config = new ClickNetworkConfig { Backbone = backbone, Width = backbone is null ? 8 : 64, AsppChannels = 16, DecoderChannels = 16, InputChannels = 3 };
        using var guide = new ClickNetwork(config);
        // Non-trivial batch-norm statistics, so that a copied buffer that was missed would show.
        foreach (var (name, buffer) in guide.named_buffers()) if (name.EndsWith("running_var")) using (no_grad()) buffer.uniform_(0.5, 2.0);
        guide.eval();
        using var widened = GuideStart.Widen(config with { InputChannels = 5 }, guide);
        widened.eval();
        using var _ = no_grad();
        var image = randn(1, 3, 64, 64);
        var clicks = rand(1, 2, 64, 64);
        var expected = guide.forward(image, null);
        Assert.True(widened.forward(image, clicks).allclose(expected, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void A_guide_of_another_shape_is_refused_naming_the_tensor()
    {
        using var guide = new ClickNetwork(new ClickNetworkConfig { Width = 8, AsppChannels = 16, DecoderChannels = 16, InputChannels = 3 });
        var error = Assert.Throws<ArgumentException>(() => GuideStart.Widen(new ClickNetworkConfig { Width = 16, AsppChannels = 16, DecoderChannels = 16, InputChannels = 5 }, guide));
        Assert.Contains("has shape", error.Message);
    }

    private static string[] Tiny(string family, string output, params string[] extra) =>
    [
        "train", "--family", family, "--data", Path.Combine(RepoPaths.Data!, "ebhi") + ":pattern=adeno_*", "--out", output, "--name", family,
        "--iterations", "2", "--batch", "2", "--crop", "64", "--threads", "1", .. extra,
    ];

    [SkippableFact]
    public async Task A_click_network_trained_from_a_guide_takes_its_shape_and_names_it_and_bad_starts_are_refused()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-start-from-").FullName;
        try
        {
            var (code, _, err) = await EngineCli.RunAsync(Tiny("guide", Path.Combine(dir, "g"), "--backbone", "none", "--width", "8", "--aspp-channels", "16", "--decoder-channels", "16"));
            Assert.True(code == 0, err);
            var guideFile = Path.Combine(dir, "g", "weights", "guide.safetensors");

            (code, _, err) = await EngineCli.RunAsync(Tiny("brs-click", Path.Combine(dir, "c"), "--start-from", guideFile));
            Assert.True(code == 0, err);
            var clickFile = Path.Combine(dir, "c", "weights", "brs-click.safetensors");
            var config = ClickModelWeights.ReadConfig(clickFile);
            Assert.Equal((8, 16, 16, 5), (config.Width, config.AsppChannels, config.DecoderChannels, config.InputChannels));
            Assert.NotNull(ClickModelWeights.Load(clickFile).CgamStart);
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "c", "weights", "brs-click.training.json")));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(guideFile))),
                record.RootElement.GetProperty("startFrom").GetProperty("sha256").GetString());

            (code, _, err) = await EngineCli.RunAsync(Tiny("brs-click", Path.Combine(dir, "d"), "--start-from", guideFile, "--width", "16"));
            Assert.Equal(2, code);
            Assert.Contains("--width cannot be given with --start-from", err);
            (code, _, err) = await EngineCli.RunAsync(Tiny("brs-click", Path.Combine(dir, "e"), "--start-from", clickFile));
            Assert.Equal(2, code);
            Assert.Contains("is not a guide network", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
