using System.Globalization;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Models.Classical;

/// <summary>
/// Random walker segmentation (Grady, PAMI 2006) with scikit-image-compatible weights: the
/// foreground probability of an unseeded pixel is the chance that a walker starting there reaches
/// a foreground seed before a background one. Mask = probability ≥ 0.5; an exact tie goes to
/// foreground, as scikit-image's argmax picks the first label (foreground = 1).
/// </summary>
public sealed class RandomWalkerModel(double beta = RandomWalkerModel.DefaultBeta, double tolerance = RandomWalkerModel.DefaultTolerance, int maxIterations = RandomWalkerModel.DefaultMaxIterations) : ISegmentationModel
{
    public const double DefaultBeta = 130, DefaultTolerance = 1e-3;
    public const int DefaultMaxIterations = 5000;

    public double Beta { get; } = beta >= 0 && double.IsFinite(beta) ? beta : throw new ArgumentOutOfRangeException(nameof(beta), $"beta {beta} must be finite and >= 0");
    public double Tolerance { get; } = tolerance > 0 && tolerance < 1 ? tolerance : throw new ArgumentOutOfRangeException(nameof(tolerance), $"tolerance {tolerance} must be in (0, 1)");
    public int MaxIterations { get; } = maxIterations >= 1 ? maxIterations : throw new ArgumentOutOfRangeException(nameof(maxIterations), $"maxIterations {maxIterations} must be >= 1");

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var completed = SeedCompletion.Complete(interactions, w, h, BoxForegroundFallback.CoreSeeds);
        if (completed.DecidedMask is not null) return new SegmentationResult(completed.DecidedMask, null, completed.Notes);
        cancellationToken.ThrowIfCancellationRequested();

        var (east, south) = RandomWalkerEdgeWeights.Compute(image, Beta);
        var labels = completed.Seeds.Labels;
        var fixedValue = new float[n];
        var probability = new float[n];
        for (int i = 0; i < n; i++)
        {
            fixedValue[i] = labels[i] switch { SeedMap.Foreground => 1f, SeedMap.Background => 0f, _ => float.NaN };
            probability[i] = float.IsNaN(fixedValue[i]) ? 0f : fixedValue[i];
        }
        CoarseToFineGuess.Fill(probability, w, h, east, south, fixedValue, Tolerance, MaxIterations, cancellationToken);
        var solver = new GridDirichletSolver(w, h, east, south, fixedValue);
        solver.Solve(probability, Tolerance, MaxIterations, cancellationToken);

        var mask = new Mask(w, h);
        for (int i = 0; i < n; i++)
        {
            probability[i] = Math.Clamp(probability[i], 0f, 1f);
            mask.Data[i] = probability[i] >= 0.5f ? (byte)1 : (byte)0;
        }
        string solve = solver.RelativeResidual <= Tolerance
            ? string.Create(CultureInfo.InvariantCulture, $"PCG (coarse-to-fine start) converged in {solver.Iterations} iterations (relative residual {solver.RelativeResidual:G3})")
            : string.Create(CultureInfo.InvariantCulture, $"PCG stopped after {solver.Iterations} iterations without reaching tolerance {Tolerance:G3} (relative residual {solver.RelativeResidual:G3})");
        return new SegmentationResult(mask, probability, $"{completed.Notes}; random walker: {solve}");
    }
}
