using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>4-connected foreground components, numbered 1.. in raster order of their first pixel (0 = background).</summary>
internal static class PixelComponents
{
    public static int[] Label4(Mask mask, out int count)
    {
        int w = mask.Width, h = mask.Height;
        var labels = new int[(long)w * h];
        var stack = new Stack<int>();
        int next = 0;
        for (int start = 0; start < labels.Length; start++)
        {
            if (mask.Data[start] == 0 || labels[start] != 0) continue;
            labels[start] = ++next;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop(), x = p % w, y = p / w;
                if (x > 0) Visit(p - 1);
                if (x < w - 1) Visit(p + 1);
                if (y > 0) Visit(p - w);
                if (y < h - 1) Visit(p + w);
            }
        }
        count = next;
        return labels;

        void Visit(int q)
        {
            if (mask.Data[q] == 0 || labels[q] != 0) return;
            labels[q] = next;
            stack.Push(q);
        }
    }
}
