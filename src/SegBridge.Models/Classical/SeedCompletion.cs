using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Models.Classical;

/// <summary>How a model wants a box without any foreground seed turned into foreground evidence.</summary>
public enum BoxForegroundFallback
{
    /// <summary>Seed models (random walker, watershed) need hard foreground seeds: use the box's inner core.</summary>
    CoreSeeds,
    /// <summary>Colour-model methods (graph cut) learn the foreground colours from the whole box, GrabCut-style.</summary>
    ColourModel,
}

/// <param name="Seeds">Seeds to segment with, user seeds plus whatever the rule added.</param>
/// <param name="Notes">Which rule applied, in words, for <see cref="SegmentationResult.Notes"/>.</param>
/// <param name="DecidedMask">Set when no segmentation is needed (no seeds at all, or nothing can be background).</param>
/// <param name="ForegroundColourBox">Set for <see cref="BoxForegroundFallback.ColourModel"/>: learn foreground colours inside this box.</param>
public sealed record CompletedSeeds(SeedMap Seeds, string Notes, Mask? DecidedMask, PixelRect? ForegroundColourBox);

/// <summary>
/// The one rule every classical model uses to cope with missing seeds, so the three models behave
/// alike and say the same thing about it. Users often click only on the object; a two-label
/// method then needs background evidence from somewhere, and the image border is the least
/// surprising place (objects are usually framed, not cut by the border).
/// </summary>
public static class SeedCompletion
{
    /// <summary>Width in pixels of the border band used as background when there are no background seeds.</summary>
    public const int BorderBand = 3;
    /// <summary>Border pixels closer than this to a foreground seed stay unlabelled, so an object touching the border is not forced out.</summary>
    public const int ForegroundClearance = 10;

    public static CompletedSeeds Complete(IReadOnlyList<Interaction> interactions, int width, int height, BoxForegroundFallback fallback)
    {
        var seeds = SeedRasterizer.Rasterize(interactions, width, height);
        var notes = new List<string>();
        PixelRect? colourBox = null;
        var box = interactions.OfType<Box>().LastOrDefault();
        var boxRect = box is null ? (PixelRect?)null : PixelRectOf(box, width, height);

        if (!seeds.HasForeground)
        {
            if (boxRect is null)
            {
                string why = seeds.HasBackground ? "no foreground seeds and no box: returned an empty mask" : "no seeds at all: returned an empty mask";
                return new CompletedSeeds(seeds, why, new Mask(width, height), null);
            }
            if (fallback == BoxForegroundFallback.CoreSeeds)
            {
                PaintBoxCore(seeds, boxRect.Value);
                notes.Add("box without foreground seeds: outside the box is background, a centred ellipse of half the box size is foreground");
            }
            else
            {
                colourBox = boxRect;
                notes.Add("box without foreground seeds: outside the box is background, foreground colours learned from inside the box (GrabCut-style)");
            }
        }
        else if (boxRect is not null)
        {
            notes.Add("box: outside the box is background");
        }

        if (!seeds.HasBackground)
        {
            int added = PaintBorderBand(seeds);
            if (added == 0)
                return new CompletedSeeds(seeds, "no background seeds and no border pixel free of foreground seeds: returned a full mask", FullMask(width, height), null);
            notes.Add($"no background seeds: used a {BorderBand}-pixel band at the image border, minus pixels within {ForegroundClearance} px of a foreground seed, as background");
        }
        else if (boxRect is null && interactions.All(i => i is Click))
        {
            // A few negative click disks are far weaker background evidence than the band they would
            // replace: dropping the band at the first negative click made the mask flood outwards.
            PaintBorderBand(seeds);
            notes.Add($"clicks only: the {BorderBand}-pixel border band (minus pixels within {ForegroundClearance} px of a foreground seed) stays background beside the negative clicks");
        }

        if (notes.Count == 0) notes.Add("user seeds used as given (foreground and background present)");
        return new CompletedSeeds(seeds, string.Join("; ", notes), null, colourBox);
    }

    /// <summary>Pixels whose centre is inside the box (X1, Y1 exclusive), clipped; null when none is.</summary>
    public static PixelRect? PixelRectOf(Box box, int width, int height)
    {
        int x0 = Math.Max(0, (int)Math.Ceiling(box.X0 - 0.5)), y0 = Math.Max(0, (int)Math.Ceiling(box.Y0 - 0.5));
        int x1 = Math.Min(width, (int)Math.Ceiling(box.X1 - 0.5)), y1 = Math.Min(height, (int)Math.Ceiling(box.Y1 - 0.5));
        return x1 > x0 && y1 > y0 ? new PixelRect(x0, y0, x1 - x0, y1 - y0) : null;
    }

    private static void PaintBoxCore(SeedMap seeds, PixelRect r)
    {
        // Ellipse with half the box's width and height: inside a tight box the centre half is
        // almost always object, the rim often is not.
        double cx = r.X + r.Width / 2.0, cy = r.Y + r.Height / 2.0;
        double ax = Math.Max(r.Width / 4.0, 0.5), ay = Math.Max(r.Height / 4.0, 0.5);
        for (int y = r.Y; y < r.Y + r.Height; y++)
            for (int x = r.X; x < r.X + r.Width; x++)
            {
                double dx = (x + 0.5 - cx) / ax, dy = (y + 0.5 - cy) / ay;
                int i = y * seeds.Width + x;
                // A user's background scribble inside the box still wins.
                if (dx * dx + dy * dy <= 1 && seeds.Labels[i] == SeedMap.Unlabelled) seeds.Labels[i] = SeedMap.Foreground;
            }
        int centre = (int)cy * seeds.Width + (int)cx;
        if (!seeds.HasForeground && seeds.Labels[centre] == SeedMap.Unlabelled) seeds.Labels[centre] = SeedMap.Foreground;
    }

    private static int PaintBorderBand(SeedMap seeds)
    {
        int w = seeds.Width, h = seeds.Height;
        var inBand = new bool[(long)w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (x < BorderBand || y < BorderBand || x >= w - BorderBand || y >= h - BorderBand) inBand[y * w + x] = true;

        // Clear the band around foreground seeds that are near the border (only those can reach it).
        const int r = ForegroundClearance, reach = ForegroundClearance + BorderBand;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (seeds.Labels[y * w + x] != SeedMap.Foreground) continue;
                if (x >= reach && y >= reach && x < w - reach && y < h - reach) continue;
                for (int yy = Math.Max(0, y - r); yy <= Math.Min(h - 1, y + r); yy++)
                    for (int xx = Math.Max(0, x - r); xx <= Math.Min(w - 1, x + r); xx++)
                        if ((xx - x) * (xx - x) + (yy - y) * (yy - y) <= r * r) inBand[yy * w + xx] = false;
            }

        int added = 0;
        for (int i = 0; i < inBand.Length; i++)
            if (inBand[i] && seeds.Labels[i] == SeedMap.Unlabelled) { seeds.Labels[i] = SeedMap.Background; added++; }
        return added;
    }

    private static Mask FullMask(int width, int height)
    {
        var m = new Mask(width, height);
        Array.Fill(m.Data, (byte)1);
        return m;
    }
}
