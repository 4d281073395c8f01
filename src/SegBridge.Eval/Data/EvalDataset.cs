using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval.Data;

/// <summary>How a mask PNG names the object.</summary>
public enum MaskKind
{
    /// <summary>16-bit PNG → instances, otherwise binary.</summary>
    Auto,
    /// <summary>Nonzero = object, the ignore value = ignored (GrabCut 0/128/255, GlaS and EBHI 0/255).</summary>
    Binary,
    /// <summary>Instance ids (0 background): one sample per instance, cropped around it with a margin.</summary>
    Instances,
    /// <summary>Class ids: object = pixels equal to <see cref="DatasetOptions.ClassId"/> (WSSS4LUAD tumour = 0).</summary>
    Class,
}

public sealed record DatasetOptions
{
    public required string Folder { get; init; }
    public MaskKind Kind { get; init; } = MaskKind.Auto;
    public int? ClassId { get; init; }
    /// <summary>Mask value that is ignored by metrics and robots (binary and class masks); null for none. GrabCut's band is 128.</summary>
    public int? IgnoreValue { get; init; } = 128;
    /// <summary>Evaluate at most this many samples (after shuffling with <see cref="Seed"/>, if given).</summary>
    public int? Limit { get; init; }
    /// <summary>Shuffle the samples with this seed before taking <see cref="Limit"/>; null keeps name order.</summary>
    public int? Seed { get; init; }
    /// <summary>Evaluate only this region of every image (clipped to the image), for large images.</summary>
    public PixelRect? Crop { get; init; }
    /// <summary>Pixels of context around each instance (instance masks).</summary>
    public int InstanceMargin { get; init; } = 16;
    /// <summary>Folder of human scribble PNGs (0/1/2) named like the images: a name inside <see cref="Folder"/> (scribbles-set-1) or a path.</summary>
    public string? ScribbleFolder { get; init; }
    /// <summary>Folder of initial masks named like the images (nonzero = object).</summary>
    public string? InitialMaskFolder { get; init; }
    public long MaxPixels { get; init; } = 64_000_000;
    /// <summary>Only images whose NAME (no extension) matches this glob (* and ?), e.g. <c>testA_*</c> for GlaS.</summary>
    public string? NamePattern { get; init; }
    /// <summary>
    /// "even" or "odd": keep the images at even or odd positions of the name-sorted list (after <see cref="NamePattern"/>).
    /// A fixed split for sets that come without one (WSSS4LUAD: train on even, evaluate on odd).
    /// </summary>
    public string? Alternate { get; init; }
}

/// <summary>One sample as found on disk; <see cref="EvalDataset.Load"/> reads it.</summary>
public sealed record SampleRef(string Name, string ImagePath, string MaskPath, int? InstanceId, PixelRect? Region);

/// <summary>A loaded sample: image, truth, and optional human scribbles and initial mask, all the same size.</summary>
public sealed record EvalSample(string Name, ImageRaster Image, GroundTruth Truth, PixelRect Region, byte[]? Scribbles, Mask? InitialMask);

/// <summary>
/// The images/ + masks/ layout of ../shared/data/* and of user folders shaped the same way:
/// images/NAME.(png|jpg|jpeg|tif|tiff|bmp) pairs with masks/NAME.png. Masks are read sample-exactly.
/// </summary>
public sealed class EvalDataset
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"];
    public DatasetOptions Options { get; }
    public IReadOnlyList<SampleRef> Samples { get; }

    public EvalDataset(DatasetOptions options)
    {
        Options = options;
        if (!Directory.Exists(options.Folder)) throw new DatasetException("dataset", $"dataset folder '{options.Folder}' does not exist");
        string images = Path.Combine(options.Folder, "images"), masks = Path.Combine(options.Folder, "masks");
        if (!Directory.Exists(images) || !Directory.Exists(masks))
            throw new DatasetException("dataset", $"dataset folder '{options.Folder}' needs images/ and masks/ subfolders (images/NAME.png pairs with masks/NAME.png)");
        if (options.Kind == MaskKind.Class && options.ClassId is null) throw new DatasetException("class", "class masks need a class id (e.g. --class 0 for WSSS4LUAD tumour)");
        if (ScribbleFolder is { } sf && !Directory.Exists(sf)) throw new DatasetException("scribbleSet", $"scribble folder '{sf}' does not exist");
        if (options.InitialMaskFolder is { } im && !Directory.Exists(im)) throw new DatasetException("initialMasks", $"initial mask folder '{im}' does not exist");

        if (options.Alternate is not (null or "even" or "odd")) throw new DatasetException("alternate", $"alternate is '{options.Alternate}'; allowed: even, odd");

        var refs = new List<SampleRef>();
        int position = 0;
        foreach (var image in Directory.EnumerateFiles(images).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(image);
            var mask = Path.Combine(masks, name + ".png");
            if (!File.Exists(mask)) continue;
            if (options.NamePattern is { } pattern && !System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false)) continue;
            bool even = position++ % 2 == 0;
            if (options.Alternate is "even" && !even || options.Alternate is "odd" && even) continue;
            if (options.Kind == MaskKind.Instances || (options.Kind == MaskKind.Auto && IsSixteenBit(mask)))
                refs.AddRange(Instances(name, image, mask));
            else
                refs.Add(new SampleRef(name, image, mask, null, options.Crop));
        }
        if (refs.Count == 0) throw new DatasetException("dataset", $"no image in '{images}' has a mask of the same name in '{masks}'");
        if (options.Seed is { } seed)
        {
            var rng = new Random(seed);
            for (int i = refs.Count - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (refs[i], refs[j]) = (refs[j], refs[i]);
            }
        }
        Samples = refs;
    }

    /// <summary>The scribble folder resolved: a path, or a name inside the dataset folder ("1" means scribbles-set-1).</summary>
    public string? ScribbleFolder => Options.ScribbleFolder is not { } s ? null
        : Directory.Exists(s) ? s
        : Directory.Exists(Path.Combine(Options.Folder, s)) ? Path.Combine(Options.Folder, s)
        : Path.Combine(Options.Folder, int.TryParse(s, out _) ? "scribbles-set-" + s : s);

    public EvalSample Load(SampleRef r)
    {
        var image = ImageDecoder.DecodeFile(r.ImagePath, Options.MaxPixels);
        var (w, h, values, _) = ReadLabels(r.MaskPath);
        if ((w, h) != (image.Width, image.Height))
            throw new DatasetException("dataset", $"{r.MaskPath} is {w}x{h}, its image is {image.Width}x{image.Height}");
        var region = Clip(r.Region, w, h, r.MaskPath);
        var truthLabels = new byte[region.Width * region.Height];
        for (int y = 0; y < region.Height; y++)
            for (int x = 0; x < region.Width; x++)
            {
                int v = values[(y + region.Y) * w + x + region.X];
                truthLabels[y * region.Width + x] = r.InstanceId is { } id ? (v == id ? GroundTruth.Object : GroundTruth.Background)
                    : Options.Kind == MaskKind.Class ? (v == Options.ClassId ? GroundTruth.Object : v == Options.IgnoreValue ? GroundTruth.Ignore : GroundTruth.Background)
                    : v == Options.IgnoreValue ? GroundTruth.Ignore : v != 0 ? GroundTruth.Object : GroundTruth.Background;
            }
        var truth = new GroundTruth(region.Width, region.Height, truthLabels);
        var cropped = region == new PixelRect(0, 0, w, h) ? image : image.Crop(region.X, region.Y, region.Width, region.Height);

        byte[]? scribbles = null;
        if (ScribbleFolder is { } sf)
        {
            var path = Path.Combine(sf, r.Name + ".png");
            if (!File.Exists(path)) throw new DatasetException("scribbleSet", $"no scribble image {path} for sample {r.Name}");
            var (sw, sh, s, _) = ReadLabels(path);
            if ((sw, sh) != (w, h)) throw new DatasetException("scribbleSet", $"{path} is {sw}x{sh}, its image is {w}x{h}");
            scribbles = CropValues(s, w, region, v => v <= 2 ? (byte)v : throw new DatasetException("scribbleSet", $"{path}: scribble value {v} is not 0, 1 or 2"));
        }
        Mask? initial = null;
        if (Options.InitialMaskFolder is { } imf)
        {
            var path = Path.Combine(imf, r.Name + ".png");
            if (!File.Exists(path)) throw new DatasetException("initialMasks", $"no initial mask {path} for sample {r.Name}");
            var (iw, ih, m, _) = ReadLabels(path);
            if ((iw, ih) != (w, h)) throw new DatasetException("initialMasks", $"{path} is {iw}x{ih}, its image is {w}x{h}");
            initial = new Mask(region.Width, region.Height, CropValues(m, w, region, v => v != 0 ? (byte)1 : (byte)0));
        }
        var name = r.InstanceId is { } inst ? $"{r.Name}#{inst}" : r.Name;
        return new EvalSample(name, cropped, truth, region, scribbles, initial);
    }

    private IEnumerable<SampleRef> Instances(string name, string image, string mask)
    {
        var (w, h, values, _) = ReadLabels(mask);
        var crop = Clip(Options.Crop, w, h, mask);
        var boxes = new SortedDictionary<int, (int X0, int Y0, int X1, int Y1)>();
        for (int y = crop.Y; y < crop.Y + crop.Height; y++)
            for (int x = crop.X; x < crop.X + crop.Width; x++)
            {
                int v = values[y * w + x];
                if (v == 0) continue;
                boxes[v] = boxes.TryGetValue(v, out var b) ? (Math.Min(b.X0, x), Math.Min(b.Y0, y), Math.Max(b.X1, x), Math.Max(b.Y1, y)) : (x, y, x, y);
            }
        int m = Options.InstanceMargin;
        foreach (var (id, b) in boxes)
        {
            int x0 = Math.Max(crop.X, b.X0 - m), y0 = Math.Max(crop.Y, b.Y0 - m);
            int x1 = Math.Min(crop.X + crop.Width - 1, b.X1 + m), y1 = Math.Min(crop.Y + crop.Height - 1, b.Y1 + m);
            yield return new SampleRef(name, image, mask, id, new PixelRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1));
        }
    }

    private static PixelRect Clip(PixelRect? r, int w, int h, string what)
    {
        if (r is not { } c) return new PixelRect(0, 0, w, h);
        int x0 = Math.Max(0, c.X), y0 = Math.Max(0, c.Y), x1 = Math.Min(w, c.X + c.Width), y1 = Math.Min(h, c.Y + c.Height);
        if (x1 <= x0 || y1 <= y0) throw new DatasetException("crop", $"crop {c.X},{c.Y},{c.Width},{c.Height} lies outside {what} ({w}x{h})");
        return new PixelRect(x0, y0, x1 - x0, y1 - y0);
    }

    private static byte[] CropValues(ushort[] values, int w, PixelRect region, Func<int, byte> map)
    {
        var dst = new byte[region.Width * region.Height];
        for (int y = 0; y < region.Height; y++)
            for (int x = 0; x < region.Width; x++)
                dst[y * region.Width + x] = map(values[(y + region.Y) * w + x + region.X]);
        return dst;
    }

    private (int W, int H, ushort[] Values, int BitDepth) ReadLabels(string path)
    {
        try { return ImageDecoder.DecodeLabelValues(File.ReadAllBytes(path), Options.MaxPixels); }
        catch (Exception e) when (e is ImageDecodeException or IOException)
        {
            throw new DatasetException("dataset", $"cannot read mask {path}: {e.Message}");
        }
    }

    private static bool IsSixteenBit(string png)
    {
        // IHDR bit depth is byte 24 of a PNG file.
        using var f = File.OpenRead(png);
        var head = new byte[25];
        return f.Read(head, 0, 25) == 25 && head[24] == 16;
    }
}

/// <summary>A dataset problem naming the option/field at fault.</summary>
public sealed class DatasetException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
