namespace SegBridge.Models;

/// <summary>How the next slice to interact on is picked from a propagation's quality scores.</summary>
public enum SliceRanking
{
    /// <summary>The lowest f_QA score (the paper's rule).</summary>
    LowestQuality,

    /// <summary>
    /// The most pixels f_QA expects to be wrong: a slice with predicted IoU q and a mask of A pixels is expected to
    /// miss A·(1 − q)/q pixels (propagated masks mostly under-segment: with the mask inside the object, q = A / object
    /// area). A slice with a few false-positive pixels has a low q but little to correct; a large, half-found object
    /// has a middling q and much to correct, and correcting it moves the volume's Dice.
    /// </summary>
    MostExpectedErrors,
}

/// <summary>
/// The slice volumes/suggest names and the eval's quality-based choices use: among non-interactive slices whose
/// mask is not empty — f_QA judges a segmentation, and on empty slices far from the object its score says
/// little — or, when every mask is empty, the lowest score among all non-interactive slices (nothing is expected
/// to be wrong on an empty mask, so only the score can tell them apart). Ties go to the first slice.
/// </summary>
public static class SliceSuggestion
{
    /// <summary>q below this counts as this, so an almost-zero score does not make an estimate without bound.</summary>
    private const double QualityFloor = 0.05;

    private static readonly string[] Names = ["lowestQuality", "mostExpectedErrors"];

    public static IReadOnlyList<string> RankingNames => Names;

    public static string Name(SliceRanking ranking) => Names[(int)ranking];

    public static bool TryParse(string? name, out SliceRanking ranking)
    {
        int i = name is null ? -1 : Array.IndexOf(Names, name);
        ranking = i >= 0 ? (SliceRanking)i : default;
        return i >= 0;
    }

    /// <summary>Pixels f_QA's score expects to be wrong on a slice (see <see cref="SliceRanking.MostExpectedErrors"/>).</summary>
    public static double ExpectedErrors(float quality, long foreground)
    {
        double q = Math.Max(QualityFloor, Math.Clamp((double)quality, 0, 1));
        return foreground * (1 - q) / q;
    }

    /// <returns>The suggested slice, or null when every slice is interactive.</returns>
    public static int? Suggest(float[] quality, long[] foreground, IReadOnlyCollection<int> interactive, SliceRanking ranking)
    {
        if (quality.Length != foreground.Length) throw new ArgumentException($"{quality.Length} quality scores for {foreground.Length} slices");
        int? best = null, bestSegmented = null;
        for (int z = 0; z < quality.Length; z++)
        {
            if (interactive.Contains(z)) continue;
            if (best is null || quality[z] < quality[best.Value]) best = z;
            if (foreground[z] > 0 && (bestSegmented is null || Better(z, bestSegmented.Value))) bestSegmented = z;
        }
        return bestSegmented ?? best;

        bool Better(int z, int than) => ranking == SliceRanking.LowestQuality
            ? quality[z] < quality[than]
            : ExpectedErrors(quality[z], foreground[z]) > ExpectedErrors(quality[than], foreground[than]);
    }

    public static int? Suggest(VolumePropagation result, SliceRanking ranking)
        => Suggest(result.Quality, result.ForegroundPerSlice, result.InteractiveSlices, ranking);
}
