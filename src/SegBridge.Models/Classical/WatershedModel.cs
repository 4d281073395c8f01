using System.Globalization;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Models.Classical;

/// <summary>
/// Seeded watershed: a priority flood over the gradient magnitude from the seed labels, 4-connected
/// like scikit-image's default. The lowest-gradient frontier pixel is labelled first; equal
/// gradients go first-in-first-out, so fronts advance evenly over flat areas. Every pixel ends up
/// foreground or background because the grid is connected and every seed floods.
/// </summary>
public sealed class WatershedModel(double sigma = WatershedModel.DefaultSigma) : ISegmentationModel
{
    // 2 px: chosen on GrabCut scribble set 1 (sigma 0/1/2/3/4 gave mean IoU 0.611/0.634/0.676/0.653/0.630).
    public const double DefaultSigma = 2.0;
    public double Sigma { get; } = sigma >= 0 && double.IsFinite(sigma) ? sigma : throw new ArgumentOutOfRangeException(nameof(sigma), $"sigma {sigma} must be finite and >= 0");

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var completed = SeedCompletion.Complete(interactions, w, h, BoxForegroundFallback.CoreSeeds);
        if (completed.DecidedMask is not null) return new SegmentationResult(completed.DecidedMask, null, completed.Notes);

        var gradient = GradientMagnitude.Compute(image, Sigma);
        cancellationToken.ThrowIfCancellationRequested();
        var labels = (byte[])completed.Seeds.Labels.Clone();
        var queue = new PriorityQueue<int, FloodKey>(n);
        long order = 0;
        for (int i = 0; i < n; i++)
            if (labels[i] != SeedMap.Unlabelled) queue.Enqueue(i, new FloodKey(gradient[i], order++));

        int popped = 0;
        while (queue.TryDequeue(out int i, out _))
        {
            if ((++popped & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            int x = i % w, y = i / w;
            byte label = labels[i];
            if (x > 0) Claim(i - 1);
            if (x + 1 < w) Claim(i + 1);
            if (y > 0) Claim(i - w);
            if (y + 1 < h) Claim(i + w);

            void Claim(int j)
            {
                if (labels[j] != SeedMap.Unlabelled) return;
                labels[j] = label; // labelled when queued, so each pixel is queued once
                queue.Enqueue(j, new FloodKey(gradient[j], order++));
            }
        }

        var mask = new Mask(w, h);
        for (int i = 0; i < n; i++) mask.Data[i] = labels[i] == SeedMap.Foreground ? (byte)1 : (byte)0;
        return new SegmentationResult(mask, null, string.Create(CultureInfo.InvariantCulture, $"{completed.Notes}; watershed: Sobel magnitude (Euclidean over channels) after Gaussian sigma {Sigma}"));
    }

    /// <summary>Gradient first, then arrival order: FIFO among equal gradients.</summary>
    private readonly record struct FloodKey(float Gradient, long Order) : IComparable<FloodKey>
    {
        public int CompareTo(FloodKey other)
        {
            int c = Gradient.CompareTo(other.Gradient);
            return c != 0 ? c : Order.CompareTo(other.Order);
        }
    }
}
