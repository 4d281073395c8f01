namespace SegBridge.Models.Guide;

/// <summary>Otsu's threshold on a 256-bin histogram: the bin split that maximises the between-class variance.</summary>
public static class Otsu
{
    /// <summary>The first bin of the upper class (values ≥ it are foreground); 0 for an empty or single-valued histogram.</summary>
    public static int Threshold(ReadOnlySpan<long> histogram)
    {
        long total = 0; double sum = 0;
        for (int i = 0; i < histogram.Length; i++) { total += histogram[i]; sum += (double)i * histogram[i]; }
        if (total == 0) return 0;
        long below = 0; double sumBelow = 0, best = -1; int split = 0;
        for (int t = 1; t < histogram.Length; t++)
        {
            below += histogram[t - 1]; sumBelow += (t - 1.0) * histogram[t - 1];
            long above = total - below;
            if (below == 0 || above == 0) continue;
            double m0 = sumBelow / below, m1 = (sum - sumBelow) / above;
            double between = (double)below * above * (m0 - m1) * (m0 - m1);
            if (between > best) { best = between; split = t; }
        }
        return split;
    }
}
