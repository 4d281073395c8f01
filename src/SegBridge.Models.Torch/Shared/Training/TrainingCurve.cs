using System.Globalization;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// A run's loss (running mean, one point per iteration) and held-out IoU (one point per validation): kept in
/// checkpoints so a resumed run continues the same curve, written into the training record and drawn as a PNG.
/// </summary>
public sealed class TrainingCurve
{
    public List<(int Iteration, double Loss)> Loss { get; } = [];
    public List<(int Iteration, double Iou)> Validation { get; } = [];

    public JsonObject ToJson() => new()
    {
        // Every 10th loss point is plenty for a curve and keeps the record small.
        ["loss"] = new JsonArray(Loss.Where((p, i) => i % 10 == 9 || i == Loss.Count - 1).Select(p => (JsonNode?)new JsonArray(p.Iteration, Math.Round(p.Loss, 5))).ToArray()),
        ["validationIou"] = new JsonArray(Validation.Select(p => (JsonNode?)new JsonArray(p.Iteration, Math.Round(p.Iou, 4))).ToArray()),
    };

    public JsonObject ToCheckpointJson() => new()
    {
        ["loss"] = new JsonArray(Loss.Select(p => (JsonNode?)new JsonArray(p.Iteration, p.Loss)).ToArray()),
        ["validationIou"] = new JsonArray(Validation.Select(p => (JsonNode?)new JsonArray(p.Iteration, p.Iou)).ToArray()),
    };

    public static TrainingCurve FromCheckpointJson(JsonNode? json)
    {
        var curve = new TrainingCurve();
        foreach (var p in json?["loss"]?.AsArray() ?? []) curve.Loss.Add((p![0]!.GetValue<int>(), p[1]!.GetValue<double>()));
        foreach (var p in json?["validationIou"]?.AsArray() ?? []) curve.Validation.Add((p![0]!.GetValue<int>(), p[1]!.GetValue<double>()));
        return curve;
    }

    /// <summary>Loss (left axis) and held-out IoU (right axis, 0–1) against iterations, 800×420 PNG.</summary>
    public byte[] RenderPng(string title)
    {
        const int width = 800, height = 420;
        const float left = 64, right = 64, top = 40, bottom = 48;
        float plotW = width - left - right, plotH = height - top - bottom;
        int last = Math.Max(1, Math.Max(Loss.Count > 0 ? Loss[^1].Iteration : 1, Validation.Count > 0 ? Validation[^1].Iteration : 1));
        double lossMax = Loss.Count > 0 ? Math.Max(1e-6, Loss.Max(p => p.Loss)) * 1.05 : 1;
        float X(double it) => left + (float)(it / last * plotW);
        float YLoss(double v) => top + (float)((1 - v / lossMax) * plotH);
        float YIou(double v) => top + (float)((1 - v) * plotH);

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 12);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var lossPaint = new SKPaint { Color = new SKColor(0x1f, 0x77, 0xb4), StrokeWidth = 1.6f, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var iouPaint = new SKPaint { Color = new SKColor(0xd6, 0x27, 0x28), StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(left, top, plotW, plotH, axis);
        for (int k = 0; k <= 5; k++)
        {
            double f = k / 5.0;
            canvas.DrawText((lossMax * f).ToString("0.###", CultureInfo.InvariantCulture), left - 6, YLoss(lossMax * f) + 4, SKTextAlign.Right, font, text);
            canvas.DrawText(f.ToString("0.0", CultureInfo.InvariantCulture), left + plotW + 6, YIou(f) + 4, SKTextAlign.Left, font, text);
            canvas.DrawText(((int)Math.Round(last * f)).ToString(CultureInfo.InvariantCulture), X(last * f), top + plotH + 16, SKTextAlign.Center, font, text);
        }
        DrawLine(canvas, Loss.Select(p => (X(p.Iteration), YLoss(p.Loss))), lossPaint);
        DrawLine(canvas, Validation.Select(p => (X(p.Iteration), YIou(p.Iou))), iouPaint);
        foreach (var p in Validation) canvas.DrawCircle(X(p.Iteration), YIou(p.Iou), 3, iouPaint);
        canvas.DrawText(title, left, top - 14, SKTextAlign.Left, font, text);
        canvas.DrawText("iteration", left + plotW / 2, height - 12, SKTextAlign.Center, font, text);
        canvas.DrawText("training loss (blue, left)", left, height - 12, SKTextAlign.Left, font, new SKPaint { Color = lossPaint.Color, IsAntialias = true });
        canvas.DrawText("held-out IoU (red, right)", left + plotW, height - 12, SKTextAlign.Right, font, new SKPaint { Color = iouPaint.Color, IsAntialias = true });
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void DrawLine(SKCanvas canvas, IEnumerable<(float X, float Y)> points, SKPaint paint)
    {
        var list = points.ToList();
        for (int i = 1; i < list.Count; i++) canvas.DrawLine(list[i - 1].X, list[i - 1].Y, list[i].X, list[i].Y, paint);
    }
}
