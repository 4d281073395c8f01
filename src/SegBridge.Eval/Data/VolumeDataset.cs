using System.IO.Enumeration;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Eval.Data;

/// <summary>
/// A folder of case folders, each holding one image volume and one label volume found by glob patterns
/// (e.g. BraTS: <c>Flair*</c> and <c>OTMultiClass*</c>); the object is label &gt; 0. Cases are sorted by name.
/// </summary>
public static class VolumeDataset
{
    public sealed record Case(string Name, string ImagePath, string LabelPath)
    {
        public Volume LoadImage() => NiftiReader.ReadFile(ImagePath, long.MaxValue, long.MaxValue);

        /// <summary>The object mask per slice (label &gt; 0), slice-major, 0/1.</summary>
        public byte[][] LoadTruth(Volume image)
        {
            var labels = NiftiReader.ReadFile(LabelPath, long.MaxValue, long.MaxValue);
            if ((labels.Width, labels.Height, labels.Depth) != (image.Width, image.Height, image.Depth))
                throw new InvalidDataException($"{Name}: labels are {labels.Width}×{labels.Height}×{labels.Depth}, the image {image.Width}×{image.Height}×{image.Depth}");
            return Enumerable.Range(0, labels.Depth).Select(z => labels.SliceAsFloat(z).Select(v => v > 0 ? (byte)1 : (byte)0).ToArray()).ToArray();
        }
    }

    /// <summary>Every case folder under <paramref name="folder"/> with exactly one match of each pattern (others are reported).</summary>
    public static IReadOnlyList<Case> List(string folder, string imagePattern, string labelPattern, Action<string>? skipped = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no such dataset folder: {folder}");
        var cases = new List<Case>();
        foreach (var dir in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(dir).Select(Path.GetFileName).ToList();
            var images = files.Where(f => FileSystemName.MatchesSimpleExpression(imagePattern, f!, ignoreCase: false)).ToList();
            var labels = files.Where(f => FileSystemName.MatchesSimpleExpression(labelPattern, f!, ignoreCase: false)).ToList();
            if (images.Count != 1 || labels.Count != 1)
            {
                skipped?.Invoke($"{Path.GetFileName(dir)}: {images.Count} files match '{imagePattern}' and {labels.Count} match '{labelPattern}' (need one each)");
                continue;
            }
            cases.Add(new Case(Path.GetFileName(dir), Path.Combine(dir, images[0]!), Path.Combine(dir, labels[0]!)));
        }
        return cases;
    }
}
