using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Models.Torch.Shared;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.DeepScribble;

/// <summary>
/// A viewer gives a scribble's points and width in image pixels (level 0 for a slide). The same tissue seen as a
/// plain image and as a slide at twice the resolution read at downsample 2 is the same working raster, so the
/// same stroke (points and width doubled in level-0 pixels) must give DeepScribble the same distance-map guidance
/// and therefore exactly the same mask. Through the real executable, on a real GlaS patch and a vips-made slide.
/// </summary>
public sealed class ScribbleScaleTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Size = 256;
    private readonly string _folder = Directory.CreateTempSubdirectory("segbridge-scribble-scale-").FullName;

    [SkippableFact]
    public async Task A_stroke_in_image_pixels_gives_the_same_mask_on_a_plain_image_and_on_a_slide_at_downsample_2()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var missing = SlideTools.OpenSlideMissing ?? SlideTools.VipsMissing;
        Skip.If(missing is not null, missing);
        var (image, _) = TorchTestSupport.GlasCrop(100, 60, Size);
        var slidePath = WriteSlide(DoubledNearest(image));

        var (engine, rpc) = EngineProcess.StartStdio();
        await using var _ = engine;
        await rpc.InitializeAsync();
        var plain = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
        var slide = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = slidePath });
        Assert.NotNull(slide.Slide);

        // A positive stroke across the patch and a negative one below it, with an explicit width and with the default.
        double[][] positive = [[40, 60], [120, 90], [200, 70]], negative = [[30, 200], [220, 210]];
        foreach (var width in new double?[] { 5, null })
        {
            var onPlain = await Masks(rpc, plain.ImageId, downsample: null, positive, negative, width, scale: 1);
            var onSlide = await Masks(rpc, slide.ImageId, downsample: 2, positive, negative, width * 2, scale: 2);
            for (int round = 0; round < onPlain.Count; round++)
            {
                int differing = onPlain[round].Zip(onSlide[round]).Count(p => p.First != p.Second);
                output.WriteLine($"width {width?.ToString() ?? "default"}, round {round + 1}: {onPlain[round].Count(v => v != 0)} foreground pixels, {differing} differ");
                Assert.True(differing == 0, $"width {width?.ToString() ?? "default"}, round {round + 1}: {differing} of {Size * Size} pixels differ between the plain image and the slide at downsample 2");
            }
            Assert.NotEqual(onPlain[0], onPlain[1]); // the second stroke changed the answer, so the comparison has something to see
        }
    }

    /// <summary>The raw masks after each of the two strokes, given in the image's own pixels (level 0 for the slide).</summary>
    private static async Task<List<byte[]>> Masks(StreamJsonRpc.JsonRpc rpc, string imageId, double? downsample, double[][] positive, double[][] negative, double? width, int scale)
    {
        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams
        {
            ImageId = imageId, ModelId = "deepscribble-hist", InitialMask = "guide-hist", Downsample = downsample,
            Region = downsample is null ? null : new RegionDto { X = 0, Y = 0, Width = Size * scale, Height = Size * scale },
        });
        Assert.Equal((Size, Size), (session.Width, session.Height));
        var masks = new List<byte[]>();
        foreach (var (points, sign) in new[] { (positive, true), (negative, false) })
        {
            var result = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = session.SessionId, Format = "raw",
                Scribble = new ScribbleDto { Points = points.Select(p => new[] { p[0] * scale, p[1] * scale }).ToArray(), Positive = sign, Width = width },
            });
            masks.Add(result.Data!);
        }
        return masks;
    }

    /// <summary>Each pixel repeated 2×2: read back at downsample 2 (vips averages 2×2 blocks) it is the original exactly.</summary>
    private static ImageRaster DoubledNearest(ImageRaster image)
    {
        int w = image.Width * 2, h = image.Height * 2, c = image.Channels;
        var pixels = new byte[w * h * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Array.Copy(image.Pixels, ((y / 2) * image.Width + x / 2) * c, pixels, (y * w + x) * c, c);
        return new ImageRaster(w, h, c, pixels);
    }

    private string WriteSlide(ImageRaster image)
    {
        var png = Path.Combine(_folder, "doubled.png");
        File.WriteAllBytes(png, MaskPng.EncodeRgb(image));
        var tiff = Path.Combine(_folder, "doubled.tif");
        var (code, _, err) = SlideTools.Run("vips", ["tiffsave", png, tiff, "--tile", "--pyramid", "--compression", "deflate", "--tile-width", "256", "--tile-height", "256"]);
        Assert.True(code == 0, $"vips tiffsave failed: {err}");
        return tiff;
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
