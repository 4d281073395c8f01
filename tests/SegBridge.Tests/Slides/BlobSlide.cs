using SegBridge.Imaging.Slides;
using SkiaSharp;

namespace SegBridge.Tests.Slides;

/// <summary>
/// Tissue-like blobs on white glass, as a pyramidal JPEG TIFF made by vips: a pink ellipse with a tiny hole
/// (to be filled), a purple disk with a large white hole (to be kept) and a speck (to be dropped). Shapes are
/// drawn on a small canvas and, for <see cref="Scale"/> &gt; 1, enlarged by vips with nearest-neighbour
/// resampling while it writes the TIFF (streamed: a 20 000² slide never exists as one raster). Level-0
/// coordinates below are already scaled; mpp is <see cref="Mpp"/> µm per level-0 pixel.
/// </summary>
public class BlobSlide : IDisposable
{
    public const int CanvasWidth = 4000, CanvasHeight = 3000;
    public virtual double Scale => 1;
    public virtual double Mpp => 0.5;

    public string Directory { get; }
    public string? TiffPath { get; }
    public string? SkipReason { get; }

    public long Width => (long)Math.Round(CanvasWidth * Scale);
    public long Height => (long)Math.Round(CanvasHeight * Scale);
    public (double Cx, double Cy, double Rx, double Ry) Ellipse => (1100 * Scale, 1000 * Scale, 700 * Scale, 450 * Scale);
    public (double Cx, double Cy, double R, double HoleR) Ring => (2900 * Scale, 1900 * Scale, 600 * Scale, 200 * Scale);
    public (double X0, double Y0, double X1, double Y1) Speck => (300 * Scale, 2600 * Scale, 330 * Scale, 2630 * Scale);

    /// <summary>Tissue area in level-0 pixels after clean-up (ellipse with its tiny hole filled, plus the ring).</summary>
    public double ExpectedArea => Math.PI * (Ellipse.Rx * Ellipse.Ry + Ring.R * Ring.R - Ring.HoleR * Ring.HoleR);

    public BlobSlide()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"segbridge-blobs-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        SkipReason = SlideTools.OpenSlideMissing ?? SlideTools.VipsMissing;
        if (SkipReason is not null) return;
        var png = Path.Combine(Directory, "blobs.png");
        File.WriteAllBytes(png, Draw());
        TiffPath = Path.Combine(Directory, "blobs.tif");
        var pxPerMm = (1000 / Mpp).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var options = $"[tile,pyramid,compression=jpeg,tile-width=256,tile-height=256,xres={pxPerMm},yres={pxPerMm}]";
        var (code, _, err) = Scale == 1
            ? SlideTools.Run("vips", ["copy", png, TiffPath + options])
            : SlideTools.Run("vips", ["resize", png, TiffPath + options, Scale.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kernel", "nearest"]);
        if (code != 0) throw new Exception($"vips failed: {err}");
    }

    private static byte[] Draw()
    {
        using var bmp = new SKBitmap(new SKImageInfo(CanvasWidth, CanvasHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
            paint.Color = new SKColor(230, 150, 190);
            canvas.DrawOval(1100, 1000, 700, 450, paint);
            paint.Color = SKColors.White;
            canvas.DrawCircle(1100, 1000, 20, paint);
            paint.Color = new SKColor(150, 90, 170);
            canvas.DrawCircle(2900, 1900, 600, paint);
            paint.Color = SKColors.White;
            canvas.DrawCircle(2900, 1900, 200, paint);
            paint.Color = new SKColor(150, 90, 170);
            canvas.DrawRect(300, 2600, 30, 30, paint);
        }
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public SlideImage Open()
    {
        Skip.If(SkipReason is not null, SkipReason);
        return SlideImage.Open(TiffPath!);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same blobs on a 20 000 × 20 000 slide at 0.25 µm per pixel, for the bounded-memory and Ctrl-C tests.</summary>
public sealed class LargeBlobSlide : BlobSlide
{
    public override double Scale => 5;
    public override double Mpp => 0.25;
}
