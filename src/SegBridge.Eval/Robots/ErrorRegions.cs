using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval.Robots;

/// <summary>False-negative and false-positive pixels of a prediction against the truth, ignored pixels excluded.</summary>
public static class ErrorRegions
{
    /// <param name="exclude">Optional per-pixel flags (nonzero = leave out), e.g. pixels a robot already labelled.</param>
    public static (byte[] FalseNegative, byte[] FalsePositive) Compute(Mask prediction, GroundTruth truth, byte[]? exclude = null)
    {
        if (prediction.Width != truth.Width || prediction.Height != truth.Height)
            throw new ArgumentException($"prediction is {prediction.Width}x{prediction.Height}, truth is {truth.Width}x{truth.Height}");
        int n = truth.Labels.Length;
        var fn = new byte[n];
        var fp = new byte[n];
        for (int i = 0; i < n; i++)
        {
            if (exclude is not null && exclude[i] != 0) continue;
            byte t = truth.Labels[i];
            bool p = prediction.Data[i] != 0;
            if (t == GroundTruth.Object && !p) fn[i] = 1;
            else if (t == GroundTruth.Background && p) fp[i] = 1;
        }
        return (fn, fp);
    }

    /// <summary>8-connected components of the nonzero pixels, numbered 1.. in raster order of their first pixel.</summary>
    public static int[] Components8(byte[] mask, int width, int height, out int count)
    {
        var labels = new int[mask.Length];
        var stack = new Stack<int>();
        int next = 0;
        for (int start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || labels[start] != 0) continue;
            labels[start] = ++next;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop(), x = p % width, y = p / width;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int yy = y + dy;
                    if (yy < 0 || yy >= height) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx;
                        if (xx < 0 || xx >= width || (dx == 0 && dy == 0)) continue;
                        int q = yy * width + xx;
                        if (mask[q] == 0 || labels[q] != 0) continue;
                        labels[q] = next;
                        stack.Push(q);
                    }
                }
            }
        }
        count = next;
        return labels;
    }
}
