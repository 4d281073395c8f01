using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval;

/// <summary>
/// The protocol's numbers. IoU and Dice are computed over pixels whose truth is not ignored.
/// NoC@t (NoI@t for scribbles) is the number of interactions after which the IoU first reaches t
/// (IoU ≥ t), or the maximum number of interactions when it never does — those samples are the
/// NoF@t failures. A sample whose starting mask already reaches t has NoC@t = 0.
/// </summary>
public static class Metrics
{
    public static double Iou(Mask prediction, GroundTruth truth)
    {
        var (inter, predicted, actual) = Counts(prediction, truth);
        long union = predicted + actual - inter;
        return union == 0 ? 1.0 : inter / (double)union;
    }

    public static double Dice(Mask prediction, GroundTruth truth)
    {
        var (inter, predicted, actual) = Counts(prediction, truth);
        long sum = predicted + actual;
        return sum == 0 ? 1.0 : 2.0 * inter / sum;
    }

    private static (long Inter, long Predicted, long Actual) Counts(Mask prediction, GroundTruth truth)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(truth);
        if (prediction.Width != truth.Width || prediction.Height != truth.Height)
            throw new ArgumentException($"prediction is {prediction.Width}x{prediction.Height}, truth is {truth.Width}x{truth.Height}");
        long inter = 0, p = 0, t = 0;
        var labels = truth.Labels;
        var data = prediction.Data;
        for (int i = 0; i < labels.Length; i++)
        {
            byte l = labels[i];
            if (l == GroundTruth.Ignore) continue;
            bool pr = data[i] != 0, tr = l == GroundTruth.Object;
            if (pr) p++;
            if (tr) t++;
            if (pr && tr) inter++;
        }
        return (inter, p, t);
    }

    /// <summary>
    /// NoC@target from the IoU after each interaction (ious[0] after the first). <paramref name="initialIou"/>
    /// is the IoU of the starting mask. Returns (noc, failed): failed means the target was never reached
    /// and noc is then <paramref name="max"/>.
    /// </summary>
    public static (int Noc, bool Failed) NumberOfClicks(double initialIou, IReadOnlyList<double> ious, double target, int max)
    {
        if (initialIou >= target) return (0, false);
        for (int k = 0; k < ious.Count && k < max; k++)
            if (ious[k] >= target) return (k + 1, false);
        return (max, true);
    }

    /// <summary>
    /// The IoU after interactions 1..max with the last value carried forward once a sample stops early
    /// (target reached, strokes exhausted, or no error left to correct), so every curve has max points.
    /// A sample with no interaction at all carries its initial IoU.
    /// </summary>
    public static double[] CarryForward(double initial, IReadOnlyList<double> values, int max)
    {
        var curve = new double[max];
        double last = initial;
        for (int k = 0; k < max; k++)
        {
            if (k < values.Count) last = values[k];
            curve[k] = last;
        }
        return curve;
    }

    /// <summary>Point-wise mean of equally long curves.</summary>
    public static double[] Mean(IReadOnlyList<double[]> curves, int length)
    {
        var mean = new double[length];
        if (curves.Count == 0) return mean;
        foreach (var c in curves)
            for (int k = 0; k < length; k++) mean[k] += c[k];
        for (int k = 0; k < length; k++) mean[k] /= curves.Count;
        return mean;
    }
}
