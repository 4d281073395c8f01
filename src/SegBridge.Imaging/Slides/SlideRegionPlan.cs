using SegBridge.Imaging.Geometry;
using System.Globalization;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Slides;

/// <summary>
/// How to turn a level-0 region of a slide into the "working raster" a model sees, at a chosen resolution,
/// and how to map coordinates between the two.
/// <para>
/// Working raster: pixel (u, v) covers level-0 [OriginX + u·D, OriginX + (u+1)·D) × [OriginY + v·D, …), with
/// D = <see cref="Downsample"/> (level-0 pixels per working pixel). All mapping functions use continuous
/// pixel-edge coordinates (pixel (x, y) covers [x, x+1)×[y, y+1), its centre is (x+0.5, y+0.5)), the same
/// convention as interactions, masks and polygons in the imaging layer, so clicks map in with
/// <see cref="ToWorking(Interaction)"/> and polygons map out with <see cref="PolygonsToLevel0"/>.
/// </para>
/// <para>
/// Level choice: <see cref="Level"/> is <see cref="SlideImage.BestLevelForDownsample"/> of the wanted
/// downsample (OpenSlide's rule: the coarsest level whose downsample is ≤ the wanted one), where a level whose
/// downsample exceeds the wanted one by at most <c>levelTolerance</c> (relative, default 1 %) also counts, so
/// that rounding in a pyramid (e.g. 2.0005 for a level of a 4443-pixel-wide slide) does not force a read of a
/// level four times larger. The origin is aligned to that level's pixel grid (OriginX = LevelX·levelDownsample
/// ≤ the requested x), so when the wanted downsample equals the level's (within 1e-9 relative)
/// <see cref="NeedsResampling"/> is false and working pixels are the level's pixels exactly. Otherwise each
/// working pixel is the area-weighted mean of the level pixels it covers (a box filter: exact for integer
/// ratios, no aliasing when shrinking by the up-to-2× or 4× between pyramid levels).
/// </para>
/// <para>
/// The working raster covers the requested region (it may extend past it by less than one level pixel at the
/// top/left and one working pixel at the bottom/right; without resampling it stops at the level's last pixel,
/// which for a non-integer level downsample such as 8.0107 can end a fraction of a level-0 pixel short). Reading it whole (<see cref="Read"/>) is limited to
/// <see cref="SlideImage.MaxRegionPixels"/>; larger regions are read and processed tile by tile through
/// <see cref="TiledRegion"/> with <see cref="ReadWorking"/>.
/// </para>
/// </summary>
public sealed class SlideRegionPlan
{
    public const double DefaultLevelTolerance = 0.01;

    public SlideImage Slide { get; }
    /// <summary>The requested region in level-0 pixels.</summary>
    public long RequestedX { get; }
    public long RequestedY { get; }
    public long RequestedWidth { get; }
    public long RequestedHeight { get; }
    /// <summary>D: level-0 pixels per working pixel.</summary>
    public double Downsample { get; }
    /// <summary>Pyramid level read from, and its downsample.</summary>
    public int Level { get; }
    public double LevelDownsample { get; }
    /// <summary>The working raster's top-left, in pixels of <see cref="Level"/>.</summary>
    public long LevelX { get; }
    public long LevelY { get; }
    /// <summary>The working raster's top-left edge in level-0 coordinates (LevelX·LevelDownsample).</summary>
    public double OriginX { get; }
    public double OriginY { get; }
    /// <summary>Working raster size in pixels.</summary>
    public int Width { get; }
    public int Height { get; }
    /// <summary>False when working pixels are level pixels one to one.</summary>
    public bool NeedsResampling { get; }
    /// <summary>Level pixels per working pixel: Downsample / LevelDownsample (1 exactly when no resampling).</summary>
    public double LevelPixelsPerWorkingPixel { get; }

    private SlideRegionPlan(SlideImage slide, long x, long y, long width, long height, double downsample, double levelTolerance)
    {
        ArgumentNullException.ThrowIfNull(slide);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"region size {width}x{height} must be positive");
        if (x < 0 || y < 0 || x + width > slide.Width || y + height > slide.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"region ({x},{y}) {width}x{height} is not inside the slide's {slide.Width}x{slide.Height} level-0 extent");
        if (!double.IsFinite(downsample) || downsample <= 0)
            throw new ArgumentOutOfRangeException(nameof(downsample), $"downsample must be a finite number > 0, got {downsample}");
        if (!(levelTolerance >= 0 && levelTolerance < 1)) throw new ArgumentOutOfRangeException(nameof(levelTolerance), "levelTolerance must be in [0, 1)");

        Slide = slide; RequestedX = x; RequestedY = y; RequestedWidth = width; RequestedHeight = height;
        Level = slide.BestLevelForDownsample(downsample * (1 + levelTolerance));
        LevelDownsample = slide.Levels[Level].Downsample;
        double ratio = downsample / LevelDownsample;
        if (Math.Abs(ratio - 1) <= 1e-9) { downsample = LevelDownsample; ratio = 1; }
        Downsample = downsample; LevelPixelsPerWorkingPixel = ratio; NeedsResampling = ratio != 1;

        LevelX = (long)Math.Floor(x / LevelDownsample + 1e-9);
        LevelY = (long)Math.Floor(y / LevelDownsample + 1e-9);
        OriginX = LevelX * LevelDownsample; OriginY = LevelY * LevelDownsample;
        double w = Math.Ceiling((x + width - OriginX) / downsample - 1e-9), h = Math.Ceiling((y + height - OriginY) / downsample - 1e-9);
        if (w > int.MaxValue / 4 || h > int.MaxValue / 4)
            throw new ArgumentOutOfRangeException(nameof(downsample), $"the working raster would be {w}x{h} pixels; choose a larger downsample");
        if (!NeedsResampling)
        {
            // With a non-integer level downsample the ceiling can reach one pixel past the level's last row/column.
            var l = slide.Levels[Level];
            w = Math.Min(w, l.Width - LevelX); h = Math.Min(h, l.Height - LevelY);
        }
        Width = Math.Max(1, (int)w); Height = Math.Max(1, (int)h);
    }

    /// <summary>Working resolution given as a downsample from level 0 (1 = full resolution, 4 = a quarter in each direction).</summary>
    public static SlideRegionPlan ForDownsample(SlideImage slide, long x, long y, long width, long height, double downsample, double levelTolerance = DefaultLevelTolerance)
        => new(slide, x, y, width, height, downsample, levelTolerance);

    /// <summary>Working resolution as a pyramid level's own downsample (no resampling).</summary>
    public static SlideRegionPlan ForLevel(SlideImage slide, long x, long y, long width, long height, int level)
    {
        ArgumentNullException.ThrowIfNull(slide);
        if ((uint)level >= (uint)slide.Levels.Count) throw new ArgumentOutOfRangeException(nameof(level), $"level {level} does not exist; the slide has levels 0..{slide.Levels.Count - 1}");
        return new(slide, x, y, width, height, slide.Levels[level].Downsample, 0);
    }

    /// <summary>
    /// Working resolution in µm per pixel (e.g. 1.0 for a model trained at "10×"): downsample = mpp / slide mpp,
    /// using the mean of <see cref="SlideImage.MppX"/> and <see cref="SlideImage.MppY"/>. Throws
    /// <see cref="SlideException"/> when the slide does not say its pixel size.
    /// </summary>
    public static SlideRegionPlan ForMpp(SlideImage slide, long x, long y, long width, long height, double mpp, double levelTolerance = DefaultLevelTolerance)
    {
        ArgumentNullException.ThrowIfNull(slide);
        if (!double.IsFinite(mpp) || mpp <= 0) throw new ArgumentOutOfRangeException(nameof(mpp), $"mpp must be a finite number > 0, got {mpp}");
        if (slide.Mpp is not double slideMpp)
            throw new SlideException($"{slide.Path} does not state its pixel size (no openslide.mpp-x/y and no TIFF resolution in cm or inch); give a downsample or level instead of mpp", slide.Path);
        return new(slide, x, y, width, height, mpp / slideMpp, levelTolerance);
    }

    /// <summary>
    /// Working resolution as an objective magnification (e.g. 10 for 10×): downsample = objective power /
    /// magnification, from <c>openslide.objective-power</c>. Throws <see cref="SlideException"/> when absent.
    /// </summary>
    public static SlideRegionPlan ForMagnification(SlideImage slide, long x, long y, long width, long height, double magnification, double levelTolerance = DefaultLevelTolerance)
    {
        ArgumentNullException.ThrowIfNull(slide);
        if (!double.IsFinite(magnification) || magnification <= 0) throw new ArgumentOutOfRangeException(nameof(magnification), $"magnification must be a finite number > 0, got {magnification}");
        if (slide.ObjectivePower is not double power)
            throw new SlideException($"{slide.Path} does not state its objective power (openslide.objective-power); give mpp, a downsample or a level instead of a magnification", slide.Path);
        return new(slide, x, y, width, height, power / magnification, levelTolerance);
    }

    // ---- coordinates -------------------------------------------------------------------------------

    /// <summary>The level-0 ↔ working mapping of this plan.</summary>
    public RegionMapping Mapping => new(OriginX, OriginY, Downsample);

    /// <summary>Level-0 point (continuous, pixel-edge convention) → working-raster point.</summary>
    public (double X, double Y) ToWorking(double x0, double y0) => Mapping.ToWorking(x0, y0);

    /// <summary>Working-raster point (continuous, pixel-edge convention) → level-0 point.</summary>
    public (double X, double Y) ToLevel0(double u, double v) => Mapping.ToImage(u, v);

    /// <summary>The working pixel that contains the centre of level-0 pixel (x, y); may lie outside the raster.</summary>
    public (long X, long Y) Level0PixelToWorkingPixel(long x, long y)
    {
        var (u, v) = ToWorking(x + 0.5, y + 0.5);
        return ((long)Math.Floor(u), (long)Math.Floor(v));
    }

    /// <summary>The level-0 rectangle (continuous: X, Y, Width, Height) that working pixel (u, v) covers.</summary>
    public (double X, double Y, double Width, double Height) WorkingPixelToLevel0(long u, long v)
    {
        var (x, y) = ToLevel0(u, v);
        return (x, y, Downsample, Downsample);
    }

    /// <summary>An interaction given in level-0 coordinates, in working-raster coordinates (radius and width scale with 1/D).</summary>
    public Interaction ToWorking(Interaction level0) => Mapping.ToWorking(level0);

    /// <summary>GeoJSON MultiPolygon coordinates (from <see cref="Encodings.MaskPolygons.Trace"/> on a working-raster mask) in level-0 coordinates.</summary>
    public double[][][][] PolygonsToLevel0(double[][][][] working) => Mapping.PolygonsToImage(working);

    /// <summary>GeoJSON MultiPolygon coordinates in level 0 → working-raster coordinates (e.g. an initial mask from the viewer).</summary>
    public double[][][][] PolygonsToWorking(double[][][][] level0) => Mapping.PolygonsToWorking(level0);

    // ---- pixels ------------------------------------------------------------------------------------

    /// <summary>The whole working raster (RGB). Limited to the slide's <see cref="SlideImage.MaxRegionPixels"/>; use <see cref="TiledRegion"/> beyond.</summary>
    public ImageRaster Read(ISlideLevelReader reader, CancellationToken cancellationToken = default)
        => ReadWorking(reader, new PixelRect(0, 0, Width, Height), cancellationToken);

    /// <summary>
    /// A rectangle of the working raster (working-pixel coordinates, must lie inside it), read through
    /// <paramref name="reader"/> and resampled when <see cref="NeedsResampling"/>. Thread-safe.
    /// </summary>
    public ImageRaster ReadWorking(ISlideLevelReader reader, PixelRect rect, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!ReferenceEquals(reader.Slide, Slide)) throw new ArgumentException("the reader is for another slide than this plan", nameof(reader));
        if (rect.X < 0 || rect.Y < 0 || rect.Width <= 0 || rect.Height <= 0 || (long)rect.X + rect.Width > Width || (long)rect.Y + rect.Height > Height)
            throw new ArgumentOutOfRangeException(nameof(rect), $"rectangle ({rect.X},{rect.Y}) {rect.Width}x{rect.Height} is not inside the {Width}x{Height} working raster");
        long limit = Slide.MaxRegionPixels;
        if ((long)rect.Width * rect.Height > limit)
            throw new SlideException($"working rectangle {rect.Width}x{rect.Height} exceeds the limit of {limit} pixels per read of {Slide.Path}; process it in tiles (TiledRegion)", Slide.Path);
        cancellationToken.ThrowIfCancellationRequested();

        if (!NeedsResampling)
        {
            var direct = new byte[(long)rect.Width * rect.Height * 3];
            reader.ReadLevelPixels(Level, LevelX + rect.X, LevelY + rect.Y, rect.Width, rect.Height, direct, cancellationToken);
            return new ImageRaster(rect.Width, rect.Height, 3, direct);
        }

        // Level-pixel span (relative to LevelX/LevelY) covered by the rectangle: [u0·s, (u0+w)·s).
        double s = LevelPixelsPerWorkingPixel;
        long lx0 = (long)Math.Floor(rect.X * s + 1e-9), ly0 = (long)Math.Floor(rect.Y * s + 1e-9);
        long lx1 = (long)Math.Ceiling((rect.X + rect.Width) * s - 1e-9), ly1 = (long)Math.Ceiling((rect.Y + rect.Height) * s - 1e-9);
        int lw = (int)Math.Max(1, lx1 - lx0), lh = (int)Math.Max(1, ly1 - ly0);
        if ((long)lw * lh > limit)
            throw new SlideException($"working rectangle {rect.Width}x{rect.Height} needs {lw}x{lh} pixels of level {Level}, over the limit of {limit} per read of {Slide.Path}; use smaller tiles", Slide.Path);
        var src = new byte[(long)lw * lh * 3];
        reader.ReadLevelPixels(Level, LevelX + lx0, LevelY + ly0, lw, lh, src, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var xs = BoxWeights.Build(rect.X, rect.Width, s, lx0, lw);
        var ys = BoxWeights.Build(rect.Y, rect.Height, s, ly0, lh);
        var dst = BoxWeights.Resample(src, lw, lh, xs, ys, rect.Width, rect.Height);
        return new ImageRaster(rect.Width, rect.Height, 3, dst);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"region ({RequestedX},{RequestedY}) {RequestedWidth}x{RequestedHeight} → {Width}x{Height} working pixels at downsample {Downsample:0.####} from level {Level} (downsample {LevelDownsample:0.####}){(NeedsResampling ? ", resampled" : "")}");
}

/// <summary>Separable area-weighted (box) resampling from level pixels to working pixels.</summary>
internal static class BoxWeights
{
    /// <summary>Per output index: first source index and the weights of consecutive source pixels (summing to 1).</summary>
    internal readonly record struct Taps(int[] Start, float[][] Weights);

    /// <summary>Output pixels [o0, o0+n) at scale s (source pixels per output pixel); source buffer starts at source index srcStart, length srcLen.</summary>
    public static Taps Build(long o0, int n, double s, long srcStart, int srcLen)
    {
        var start = new int[n];
        var weights = new float[n][];
        for (int i = 0; i < n; i++)
        {
            double a = (o0 + i) * s - srcStart, b = (o0 + i + 1) * s - srcStart;
            int j0 = Math.Clamp((int)Math.Floor(a + 1e-9), 0, srcLen - 1);
            int j1 = Math.Clamp((int)Math.Ceiling(b - 1e-9), j0 + 1, srcLen);
            var w = new float[j1 - j0];
            double total = 0;
            for (int j = j0; j < j1; j++)
            {
                double overlap = Math.Min(b, j + 1) - Math.Max(a, j);
                w[j - j0] = (float)Math.Max(overlap, 0);
                total += w[j - j0];
            }
            if (total <= 0) { Array.Clear(w); w[0] = 1; total = 1; }
            for (int k = 0; k < w.Length; k++) w[k] = (float)(w[k] / total);
            start[i] = j0; weights[i] = w;
        }
        return new Taps(start, weights);
    }

    public static byte[] Resample(byte[] src, int sw, int sh, Taps xs, Taps ys, int dw, int dh)
    {
        // Horizontal pass into floats (sh rows × dw × 3), then vertical.
        var tmp = new float[(long)sh * dw * 3];
        for (int y = 0; y < sh; y++)
        {
            int srow = y * sw * 3, trow = y * dw * 3;
            for (int x = 0; x < dw; x++)
            {
                float r = 0, g = 0, b = 0;
                var w = xs.Weights[x];
                int p = srow + xs.Start[x] * 3;
                for (int k = 0; k < w.Length; k++, p += 3) { r += w[k] * src[p]; g += w[k] * src[p + 1]; b += w[k] * src[p + 2]; }
                int t = trow + x * 3;
                tmp[t] = r; tmp[t + 1] = g; tmp[t + 2] = b;
            }
        }
        var dst = new byte[(long)dw * dh * 3];
        int rowLen = dw * 3;
        var acc = new float[rowLen];
        for (int y = 0; y < dh; y++)
        {
            Array.Clear(acc);
            var w = ys.Weights[y];
            for (int k = 0; k < w.Length; k++)
            {
                int trow = (ys.Start[y] + k) * rowLen;
                float wk = w[k];
                for (int i = 0; i < rowLen; i++) acc[i] += wk * tmp[trow + i];
            }
            int drow = y * rowLen;
            for (int i = 0; i < rowLen; i++) dst[drow + i] = (byte)Math.Clamp(MathF.Round(acc[i]), 0, 255);
        }
        return dst;
    }
}
