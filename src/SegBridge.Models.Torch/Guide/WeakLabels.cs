using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Guide;

/// <summary>An image with only an image-level label: the index into the run's class names.</summary>
public sealed record ClassSample(string Name, ImageRaster Image, int ClassIndex);

/// <summary>Image-level labels from file names and the seeded split into masked and label-only samples.</summary>
public static class WeakLabels
{
    /// <summary>
    /// The class of a sample named CLASS_rest (EBHI: adeno_…, hgin_…, lgin_…, normal_…, polyp_…, serrated_…):
    /// the lower-case prefix before the first '_'. A name without one is an error naming it.
    /// </summary>
    public static string ClassPrefix(string name)
    {
        int cut = name.IndexOf('_');
        if (cut <= 0)
            throw new ArgumentException($"'{name}' has no class prefix: image-level samples must be named CLASS_rest (e.g. adeno_001), the class being the part before the first '_'");
        var prefix = name[..cut];
        if (!prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException($"'{name}': class prefix '{prefix}' must be letters, digits or '-'");
        return prefix.ToLowerInvariant();
    }

    /// <summary>The sorted distinct classes of <paramref name="names"/> and each name's index; fewer than two classes is an error.</summary>
    public static (IReadOnlyList<string> Classes, int[] Indices) Classes(IReadOnlyList<string> names)
    {
        var prefixes = names.Select(ClassPrefix).ToArray();
        var classes = prefixes.Distinct().Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
            throw new ArgumentException($"image-level samples must come from at least 2 classes; found {classes.Count} ({string.Join(", ", classes)})");
        return (classes, prefixes.Select(p => classes.IndexOf(p)).ToArray());
    }

    /// <summary>
    /// Which of <paramref name="count"/> samples keep their mask: a seeded random <paramref name="share"/> of them
    /// (rounded, at least one), the same for the same count, share and seed whatever else the run does, so an S run
    /// and its S+C twin see the same masks.
    /// </summary>
    public static bool[] MaskedShare(int count, double share, int seed)
    {
        if (!(share > 0 && share <= 1)) throw new ArgumentException($"mask share is {share}; allowed range is (0, 1]");
        var keep = new bool[count];
        if (count == 0) return keep;
        int masked = Math.Clamp((int)Math.Round(share * count), 1, count);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        foreach (var i in order[..masked]) keep[i] = true;
        return keep;
    }
}
