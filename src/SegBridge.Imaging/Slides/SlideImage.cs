using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.InteropServices;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Slides;

/// <summary>One pyramid level: size in its own pixels, and its downsample relative to level 0 (as OpenSlide reports it).</summary>
public readonly record struct SlideLevel(int Index, long Width, long Height, double Downsample);

/// <summary>What <see cref="SlideImage.ReadRegion(long,long,int,int,int,TransparentPixels)"/> writes for fully transparent pixels.</summary>
public enum TransparentPixels
{
    /// <summary>White (255,255,255): the glass/background convention of QuPath and of slide viewers. The default.</summary>
    White,
    /// <summary>Black (0,0,0): what openslide-python's <c>read_region(...).convert('RGB')</c> gives.</summary>
    Black,
}

/// <summary>
/// A whole-slide image opened through OpenSlide (<c>libopenslide.so.0</c>).
/// <para>
/// Coordinates: every <c>x</c>/<c>y</c> a method takes is in level-0 pixels (as in OpenSlide and QuPath);
/// <c>width</c>/<c>height</c> of a region are in pixels of the level being read. Pixel output is always 8-bit
/// RGB (<see cref="ImageRaster"/> with 3 channels).
/// </para>
/// <para>
/// Pixels: OpenSlide returns pre-multiplied ARGB. Opaque pixels (alpha 255, i.e. every pixel inside a slide's
/// scanned area) are copied exactly — identical to openslide-python's <c>read_region(...).convert('RGB')</c>.
/// Partly transparent pixels are un-premultiplied exactly as openslide-python does (<c>255*c/a</c>, integer
/// division) and the alpha dropped. Fully transparent pixels (outside the slide, or outside the scanned area
/// of sparse formats) become <see cref="TransparentPixels.White"/> by default; pass
/// <see cref="TransparentPixels.Black"/> to match openslide-python for those too.
/// </para>
/// <para>
/// Threads: any number of threads may read concurrently (OpenSlide's reads are thread-safe per handle).
/// <see cref="Dispose"/> may be called at any time and more than once: the handle is closed after the reads
/// in flight return (SafeHandle reference counting), and later calls throw <see cref="ObjectDisposedException"/>.
/// </para>
/// </summary>
public sealed class SlideImage : IDisposable, ISlideLevelReader
{
    /// <summary>Default cap on width*height of one <see cref="ReadRegion(long,long,int,int,int,TransparentPixels)"/> (8192×8192).</summary>
    public const long DefaultMaxRegionPixels = 8192L * 8192;

    private static long _nextId;
    private readonly OpenSlideHandle _handle;

    /// <summary>Process-unique id, used as the slide part of tile-cache keys.</summary>
    public long Id { get; }
    public string Path { get; }
    /// <summary>OpenSlide's format name: <c>aperio</c>, <c>generic-tiff</c>, <c>hamamatsu</c>, …</summary>
    public string Vendor { get; }
    public IReadOnlyList<SlideLevel> Levels { get; }
    /// <summary>Every OpenSlide property (<c>openslide.*</c>, <c>tiff.*</c>, <c>aperio.*</c>, …), read once at open.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }
    public IReadOnlyList<string> AssociatedImageNames { get; }
    /// <summary>Micrometres per level-0 pixel, horizontally: <c>openslide.mpp-x</c>, else from the TIFF resolution tags; null when unknown.</summary>
    public double? MppX { get; }
    public double? MppY { get; }
    /// <summary>The mean of <see cref="MppX"/> and <see cref="MppY"/>, the one pixel size resolutions are chosen by; null when either is unknown.</summary>
    public double? Mpp => MppX is double mx && MppY is double my ? (mx + my) / 2 : null;
    /// <summary><c>openslide.objective-power</c> (the scan's magnification at level 0, e.g. 20 or 40), or null.</summary>
    public double? ObjectivePower { get; }
    /// <summary>Largest width*height one read may ask for; larger regions go through <see cref="TiledRegion"/>.</summary>
    public long MaxRegionPixels { get; }

    public long Width => Levels[0].Width;
    public long Height => Levels[0].Height;

    /// <summary>OpenSlide's version string (e.g. "3.4.1"); throws <see cref="SlideException"/> when the library is missing.</summary>
    public static string LibraryVersion
    {
        get
        {
            try { return Marshal.PtrToStringUTF8(OpenSlideNative.openslide_get_version()) ?? "?"; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { throw SlideException.Missing(null, e); }
        }
    }

    /// <summary>True when libopenslide.so.0 can be loaded (tests and the engine's capabilities use it).</summary>
    public static bool IsLibraryAvailable(out string reason)
    {
        try { reason = "OpenSlide " + LibraryVersion; return true; }
        catch (SlideException e) { reason = e.Message; return false; }
    }

    private SlideImage(OpenSlideHandle handle, string path, string vendor, long maxRegionPixels)
    {
        _handle = handle; Path = path; Vendor = vendor; MaxRegionPixels = maxRegionPixels;
        Id = Interlocked.Increment(ref _nextId);

        int count = OpenSlideNative.openslide_get_level_count(handle);
        ThrowIfError("reading the level count");
        if (count < 1) throw new SlideException($"not a slide OpenSlide can read: {path} (it reports {count} levels)", path);
        var levels = new SlideLevel[count];
        for (int i = 0; i < count; i++)
        {
            OpenSlideNative.openslide_get_level_dimensions(handle, i, out long w, out long h);
            levels[i] = new SlideLevel(i, w, h, OpenSlideNative.openslide_get_level_downsample(handle, i));
        }
        ThrowIfError("reading the levels");
        Levels = levels;

        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in OpenSlideNative.ReadStringArray(OpenSlideNative.openslide_get_property_names(handle)))
            props[name] = Marshal.PtrToStringUTF8(OpenSlideNative.openslide_get_property_value(handle, name)) ?? "";
        Properties = props.ToFrozenDictionary(StringComparer.Ordinal);
        AssociatedImageNames = OpenSlideNative.ReadStringArray(OpenSlideNative.openslide_get_associated_image_names(handle));
        ThrowIfError("reading the properties");

        (MppX, MppY) = SlideResolution.MicronsPerPixel(Properties);
        ObjectivePower = SlideResolution.ParsePositive(Properties.GetValueOrDefault("openslide.objective-power"));
    }

    /// <summary>
    /// Opens a slide. Throws <see cref="SlideException"/> when the file is missing, when OpenSlide does not
    /// recognise it ("not a slide OpenSlide can read: PATH"), when OpenSlide reports an error for it, or when
    /// libopenslide itself is missing (<see cref="SlideException.LibraryMissing"/>, naming the Debian package).
    /// </summary>
    public static SlideImage Open(string path, long maxRegionPixels = DefaultMaxRegionPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (maxRegionPixels <= 0) throw new ArgumentOutOfRangeException(nameof(maxRegionPixels), "maxRegionPixels must be positive");
        if (!File.Exists(path)) throw new SlideException($"slide not found: {path}", path);
        string? vendor;
        OpenSlideHandle handle;
        try
        {
            vendor = Marshal.PtrToStringUTF8(OpenSlideNative.openslide_detect_vendor(path));
            if (vendor is null) throw new SlideException($"not a slide OpenSlide can read: {path}", path);
            handle = OpenSlideNative.openslide_open(path);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { throw SlideException.Missing(path, e); }
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new SlideException($"not a slide OpenSlide can read: {path} (detected as {vendor}, but it did not open)", path);
        }
        var error = Marshal.PtrToStringUTF8(OpenSlideNative.openslide_get_error(handle));
        if (error is not null)
        {
            handle.Dispose();
            throw new SlideException($"not a slide OpenSlide can read: {path}: {error}", path);
        }
        try { return new SlideImage(handle, path, vendor, maxRegionPixels); }
        catch { handle.Dispose(); throw; }
    }

    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Closes the handle once the reads in flight have returned; safe to call repeatedly.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// The level to read for a wanted downsample, with <c>openslide_get_best_level_for_downsample</c>'s rule
    /// (computed here, no native call): the largest-downsample level whose downsample is ≤ the wanted one;
    /// level 0 when the wanted downsample is below level 0's; the last level when it is above all.
    /// </summary>
    public int BestLevelForDownsample(double downsample)
    {
        if (double.IsNaN(downsample)) throw new ArgumentOutOfRangeException(nameof(downsample), "downsample is NaN");
        if (downsample < Levels[0].Downsample) return 0;
        for (int i = 1; i < Levels.Count; i++)
            if (downsample < Levels[i].Downsample) return i - 1;
        return Levels.Count - 1;
    }

    /// <summary>
    /// Reads a region: top-left (<paramref name="x0"/>, <paramref name="y0"/>) in level-0 pixels, size
    /// <paramref name="width"/>×<paramref name="height"/> in pixels of <paramref name="level"/>, as RGB.
    /// Parts outside the slide come back as <paramref name="transparent"/> pixels. The region must overlap the
    /// slide and width*height must not exceed <see cref="MaxRegionPixels"/>.
    /// </summary>
    public ImageRaster ReadRegion(long x0, long y0, int level, int width, int height, TransparentPixels transparent = TransparentPixels.White)
    {
        ValidateRegion(x0, y0, level, width, height);
        var rgb = new byte[(long)width * height * 3];
        ReadRegionCore(x0, y0, level, width, height, rgb, transparent);
        return new ImageRaster(width, height, 3, rgb);
    }

    /// <summary>
    /// As <see cref="ReadRegion(long,long,int,int,int,TransparentPixels)"/>, into a caller's buffer of at least
    /// width*height*3 bytes (row-major RGB), so the caller can pool its buffers. The temporary ARGB buffer
    /// OpenSlide fills is rented from <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public void ReadRegion(long x0, long y0, int level, int width, int height, Span<byte> destination, TransparentPixels transparent = TransparentPixels.White)
    {
        ValidateRegion(x0, y0, level, width, height);
        if (destination.Length < (long)width * height * 3)
            throw new ArgumentException($"destination has {destination.Length} bytes; a {width}x{height} RGB region needs {(long)width * height * 3}", nameof(destination));
        ReadRegionCore(x0, y0, level, width, height, destination, transparent);
    }

    /// <summary>
    /// Reads level pixels [lx, lx+width) × [ly, ly+height) of <paramref name="level"/> (level-pixel
    /// coordinates), i.e. <c>ReadRegion(round(lx*downsample), round(ly*downsample), level, …)</c>. When a
    /// level's downsample is not an integer OpenSlide renders the sub-pixel remainder (at most half a level
    /// pixel divided by the downsample) by interpolation; that is OpenSlide's behaviour, not corrected here.
    /// Transparent pixels are white.
    /// </summary>
    public void ReadLevelPixels(int level, long lx, long ly, int width, int height, Span<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckLevel(level);
        var l = Levels[level];
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height} must be positive");
        if (destination.Length < (long)width * height * 3)
            throw new ArgumentException($"destination has {destination.Length} bytes; {width}x{height} RGB needs {(long)width * height * 3}", nameof(destination));
        if (lx >= l.Width || ly >= l.Height || lx + width <= 0 || ly + height <= 0)
        {
            destination[..(width * height * 3)].Fill(255); // wholly outside the level: background
            return;
        }
        double ds = l.Downsample;
        ReadRegion((long)Math.Round(lx * ds), (long)Math.Round(ly * ds), level, width, height, destination);
    }

    SlideImage ISlideLevelReader.Slide => this;

    /// <summary>An associated image (<c>label</c>, <c>macro</c>, <c>thumbnail</c>, … — see <see cref="AssociatedImageNames"/>) as RGB.</summary>
    public unsafe ImageRaster ReadAssociatedImage(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        if (!AssociatedImageNames.Contains(name))
            throw new ArgumentException($"slide {Path} has no associated image '{name}'; it has: {(AssociatedImageNames.Count == 0 ? "none" : string.Join(", ", AssociatedImageNames))}", nameof(name));
        OpenSlideNative.openslide_get_associated_image_dimensions(_handle, name, out long w, out long h);
        ThrowIfError($"reading the size of associated image '{name}'");
        if (w <= 0 || h <= 0 || w > int.MaxValue || h > int.MaxValue || w * h > MaxRegionPixels)
            throw new SlideException($"associated image '{name}' of {Path} is {w}x{h}, outside 1..{MaxRegionPixels} pixels", Path);
        int n = checked((int)(w * h));
        var argb = ArrayPool<uint>.Shared.Rent(n);
        try
        {
            fixed (uint* p = argb) OpenSlideNative.openslide_read_associated_image(_handle, name, p);
            ThrowIfError($"reading associated image '{name}'");
            var rgb = new byte[(long)n * 3];
            ArgbConversion.ToRgb(argb.AsSpan(0, n), rgb, TransparentPixels.White);
            return new ImageRaster((int)w, (int)h, 3, rgb);
        }
        finally { ArrayPool<uint>.Shared.Return(argb); }
    }

    private unsafe void ReadRegionCore(long x0, long y0, int level, int width, int height, Span<byte> destination, TransparentPixels transparent)
    {
        int n = width * height; // validated ≤ MaxRegionPixels ≤ int range below
        var argb = ArrayPool<uint>.Shared.Rent(n);
        try
        {
            fixed (uint* p = argb)
                OpenSlideNative.openslide_read_region(_handle, p, x0, y0, level, width, height);
            ThrowIfError($"reading region ({x0},{y0}) {width}x{height} at level {level}");
            ArgbConversion.ToRgb(argb.AsSpan(0, n), destination, transparent);
        }
        finally { ArrayPool<uint>.Shared.Return(argb); }
    }

    private void ValidateRegion(long x0, long y0, int level, int width, int height)
    {
        ThrowIfDisposed();
        CheckLevel(level);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"region size {width}x{height} must be positive");
        long pixels = (long)width * height;
        if (pixels > MaxRegionPixels || pixels > int.MaxValue / 4)
            throw new SlideException($"region {width}x{height} = {pixels} pixels exceeds the limit of {Math.Min(MaxRegionPixels, int.MaxValue / 4)} pixels per read of {Path}; read it in tiles (TiledRegion)", Path);
        var l = Levels[level];
        double ds = l.Downsample;
        // The region's extent in level-0 pixels; it must overlap [0, Width) × [0, Height).
        double x1 = x0 + width * ds, y1 = y0 + height * ds;
        if (x1 <= 0 || y1 <= 0 || x0 >= Width || y0 >= Height)
            throw new ArgumentOutOfRangeException(nameof(x0),
                $"region ({x0},{y0}) {width}x{height} at level {level} (downsample {ds.ToString("0.###", CultureInfo.InvariantCulture)}) lies outside the slide's {Width}x{Height} level-0 extent");
    }

    private void CheckLevel(int level)
    {
        if ((uint)level >= (uint)Levels.Count)
            throw new ArgumentOutOfRangeException(nameof(level), $"level {level} does not exist; {Path} has levels 0..{Levels.Count - 1}");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);

    private void ThrowIfError(string doing)
    {
        // The error string belongs to the handle: hold a reference while copying it so a concurrent Dispose
        // cannot free it between the call and the copy.
        bool added = false;
        string? error;
        try
        {
            _handle.DangerousAddRef(ref added);
            error = Marshal.PtrToStringUTF8(OpenSlideNative.openslide_get_error(_handle));
        }
        finally { if (added) _handle.DangerousRelease(); }
        if (error is not null) throw new SlideException($"OpenSlide failed {doing} of {Path}: {error}", Path);
    }

    public override string ToString() =>
        $"{Path} ({Vendor}, {Width}x{Height}, {Levels.Count} levels, mpp {MppX?.ToString(CultureInfo.InvariantCulture) ?? "?"})";
}
