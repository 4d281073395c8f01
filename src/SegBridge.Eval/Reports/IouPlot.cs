using System.Globalization;
using SkiaSharp;

namespace SegBridge.Eval.Reports;

/// <summary>A PNG line plot of mean IoU against the number of interactions, one line per model (SkiaSharp).</summary>
public static class IouPlot
{
    private static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28),
        new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f),
    ];

    public static byte[] Render(EvalResults results, int width = 800, int height = 520)
    {
        const float left = 70, right = 24, top = 44, bottom = 60;
        float plotW = width - left - right, plotH = height - top - bottom;
        int max = results.MaxInteractions;
        var curves = results.Models.Select(m => m.Summary.MeanIouCurve).ToList();
        double lo = curves.SelectMany(c => c).DefaultIfEmpty(0).Min();
        double yMin = Math.Max(0, Math.Floor(lo * 10) / 10), yMax = 1.0;
        if (yMax - yMin < 0.1) yMin = yMax - 0.1;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 13);
        using var titleFont = new SKFont(typeface, 15);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.2f, IsAntialias = true, Style = SKPaintStyle.Stroke };

        float X(double k) => left + (float)((k - 1) / Math.Max(1, max - 1) * plotW);
        float Y(double v) => top + (float)((yMax - v) / (yMax - yMin) * plotH);

        // Grid, ticks and labels.
        for (double v = yMin; v <= yMax + 1e-9; v += 0.05)
        {
            canvas.DrawLine(left, Y(v), left + plotW, Y(v), grid);
            var label = v.ToString("0.00", CultureInfo.InvariantCulture);
            canvas.DrawText(label, left - 8, Y(v) + 4, SKTextAlign.Right, font, text);
        }
        int step = max <= 20 ? 1 : (int)Math.Ceiling(max / 20.0);
        for (int k = 1; k <= max; k += step)
        {
            canvas.DrawLine(X(k), top, X(k), top + plotH, grid);
            canvas.DrawText(k.ToString(CultureInfo.InvariantCulture), X(k), top + plotH + 18, SKTextAlign.Center, font, text);
        }
        canvas.DrawRect(left, top, plotW, plotH, axis);
        foreach (var t in results.Targets)
        {
            if (t < yMin || t > yMax) continue;
            using var dashed = new SKPaint { Color = new SKColor(0x99, 0x99, 0x99), StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
            canvas.DrawLine(left, Y(t), left + plotW, Y(t), dashed);
        }
        string count = results.Mode == "clicks" ? "clicks" : "interactions";
        canvas.DrawText($"Number of {count}", left + plotW / 2, height - 18, SKTextAlign.Center, font, text);
        canvas.Save();
        canvas.RotateDegrees(-90, 18, top + plotH / 2);
        canvas.DrawText("mean IoU", 18, top + plotH / 2 + 4, SKTextAlign.Center, font, text);
        canvas.Restore();
        var name = Path.GetFileName(results.Dataset.TrimEnd('/', '\\'));
        int samples = results.Models.FirstOrDefault()?.Summary.Samples ?? 0;
        canvas.DrawText($"{name}: mean IoU vs {count} ({results.Mode}, {samples} samples)", left + plotW / 2, 26, SKTextAlign.Center, titleFont, text);

        // Lines and legend.
        for (int m = 0; m < results.Models.Count; m++)
        {
            var curve = results.Models[m].Summary.MeanIouCurve;
            using var line = new SKPaint { Color = Palette[m % Palette.Length], StrokeWidth = 2.2f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var dot = new SKPaint { Color = Palette[m % Palette.Length], IsAntialias = true, Style = SKPaintStyle.Fill };
            using var path = new SKPath();
            for (int k = 0; k < curve.Length; k++)
            {
                var (px, py) = (X(k + 1), Y(Math.Max(yMin, curve[k])));
                if (k == 0) path.MoveTo(px, py); else path.LineTo(px, py);
                canvas.DrawCircle(px, py, 2.8f, dot);
            }
            canvas.DrawPath(path, line);
            float ly = top + plotH - 16 - 20 * (results.Models.Count - 1 - m);
            canvas.DrawLine(left + plotW - 190, ly, left + plotW - 160, ly, line);
            canvas.DrawText(results.Models[m].Summary.Model, left + plotW - 152, ly + 4, SKTextAlign.Left, font, text);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
