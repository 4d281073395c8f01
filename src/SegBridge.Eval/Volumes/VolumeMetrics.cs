namespace SegBridge.Eval.Volumes;

/// <summary>Per-slice masks (slice-major, 0/1) against the truth: Dice, wrong voxels, and how well f_QA's scores predict the true IoU.</summary>
public static class VolumeMetrics
{
    /// <summary>How well f_QA's scores predict the true IoU on the slices volumes/suggest ranks: Pearson r and mean |error|.</summary>
    public static (double? Correlation, double? MeanError) QualityAgreement(byte[][] predicted, byte[][] truth, float[] quality, IReadOnlyCollection<int> interactive)
    {
        var pairs = new List<(double Q, double Iou)>();
        for (int z = 0; z < truth.Length; z++)
        {
            if (interactive.Contains(z) || Array.IndexOf(predicted[z], (byte)1) < 0) continue;
            long inter = 0, union = 0;
            for (int i = 0; i < truth[z].Length; i++)
            {
                bool p = predicted[z][i] != 0, t = truth[z][i] != 0;
                if (p && t) inter++;
                if (p || t) union++;
            }
            pairs.Add((quality[z], (double)inter / union));
        }
        if (pairs.Count == 0) return (null, null);
        double error = pairs.Average(x => Math.Abs(x.Q - x.Iou));
        if (pairs.Count < 3) return (null, error);
        double mq = pairs.Average(x => x.Q), mi = pairs.Average(x => x.Iou);
        double cov = pairs.Sum(x => (x.Q - mq) * (x.Iou - mi)), vq = pairs.Sum(x => (x.Q - mq) * (x.Q - mq)), vi = pairs.Sum(x => (x.Iou - mi) * (x.Iou - mi));
        return (vq > 0 && vi > 0 ? cov / Math.Sqrt(vq * vi) : null, error);
    }

    /// <summary>Pixels labelled differently from the truth.</summary>
    public static long Errors(byte[] predicted, byte[] truth)
    {
        long n = 0;
        for (int i = 0; i < truth.Length; i++) if ((predicted[i] != 0) != (truth[i] != 0)) n++;
        return n;
    }

    /// <summary>Dice over all given slices (1 when both are empty).</summary>
    public static double Dice(byte[][] predicted, byte[][] truth)
    {
        long inter = 0, sum = 0;
        for (int z = 0; z < truth.Length; z++)
            for (int i = 0; i < truth[z].Length; i++)
            {
                bool p = predicted[z][i] != 0, t = truth[z][i] != 0;
                if (p && t) inter++;
                sum += (p ? 1 : 0) + (t ? 1 : 0);
            }
        return sum == 0 ? 1 : 2.0 * inter / sum;
    }
}
