using SegBridge.Eval.Robots;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval.Robots;

/// <summary>
/// Human scribbles replayed stroke by stroke: a label image (0 unlabelled, 1 foreground, 2 background)
/// is split into the 8-connected components of each label, and the components are fed largest first
/// (ties: first pixel in raster order), one interaction each, as a <see cref="LabelImage"/> holding
/// only that stroke.
/// </summary>
public static class RealScribbles
{
    public static IReadOnlyList<LabelImage> Strokes(byte[] labels, int width, int height)
    {
        if (labels.LongLength != (long)width * height) throw new ArgumentException($"scribble image has {labels.LongLength} pixels, expected {(long)width * height}");
        var strokes = new List<(int Size, int First, byte Label, List<int> Pixels)>();
        foreach (byte label in new[] { SeedMap.Foreground, SeedMap.Background })
        {
            var only = new byte[labels.Length];
            for (int i = 0; i < labels.Length; i++) only[i] = labels[i] == label ? (byte)1 : (byte)0;
            var comp = ErrorRegions.Components8(only, width, height, out int count);
            var pixels = new List<int>[count];
            for (int i = 0; i < count; i++) pixels[i] = [];
            for (int i = 0; i < comp.Length; i++) if (comp[i] != 0) pixels[comp[i] - 1].Add(i);
            strokes.AddRange(pixels.Select(p => (p.Count, p[0], label, p)));
        }
        return strokes.OrderByDescending(s => s.Size).ThenBy(s => s.First)
            .Select(s =>
            {
                var img = new byte[labels.Length];
                foreach (var p in s.Pixels) img[p] = s.Label;
                return new LabelImage(img, width, height);
            }).ToList();
    }
}
