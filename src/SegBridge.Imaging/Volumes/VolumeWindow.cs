namespace SegBridge.Imaging.Volumes;

/// <summary>
/// The grey window for showing a volume in 8 bits: the 0.5th and 99.5th percentiles of its scaled finite
/// values. Percentiles rather than min/max because MR and CT volumes carry a few extreme voxels (metal,
/// vessels, reconstruction artefacts) that would otherwise squeeze all tissue into a few grey levels.
/// At most 2^20 voxels are sampled, on a regular stride through the whole volume, so a 512×512×300 volume
/// costs a sort of a million values, not 78 million; the stride is fixed, so the window is deterministic.
/// A volume with no finite values gets (0, 1); a constant one gets low == high (shown black).
/// </summary>
public static class VolumeWindow
{
    public const double LowPercentile = 0.5, HighPercentile = 99.5;
    public const int MaxSamples = 1 << 20;

    public static (double Low, double High) Compute(Volume volume)
    {
        long n = volume.VoxelCount;
        long stride = Math.Max(1, (n + MaxSamples - 1) / MaxSamples);
        var samples = new List<double>((int)Math.Min(n, MaxSamples));
        for (long i = 0; i < n; i += stride)
        {
            double v = volume.Voxels[i] * volume.Slope + volume.Intercept;
            if (double.IsFinite(v)) samples.Add(v);
        }
        if (samples.Count == 0) return (0, 1);
        samples.Sort();
        return (Percentile(samples, LowPercentile), Percentile(samples, HighPercentile));
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default), on sorted values.</summary>
    public static double Percentile(List<double> sorted, double p)
    {
        double rank = p / 100 * (sorted.Count - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
